/* The floor for bench/run: plain blocking libpq, one connection per target, running the daemon's
 * two catalog queries (same SQL, same parameters) round-robin over the targets for a fixed time.
 * Usage: libpq_floor SECONDS ENUM_SQL_FILE USAGE_SQL_FILE [INTERVAL_MS] < targets
 * (USAGE_SQL_FILE "-": the enum query alone, the minimal read)
 * ("dsn<TAB>schema") With INTERVAL_MS, each round over the targets starts INTERVAL_MS after the
 * previous one (the daemon's pacing); without it, rounds run back to back. Prints: polls
 * cpu_seconds max_rss_kb p50_ms p99_ms */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static char* slurp(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* text = malloc((size_t)n + 1);
  if (fread(text, 1, (size_t)n, f) != (size_t)n) {
    perror(path);
    exit(2);
  }
  text[n] = 0;
  fclose(f);
  return text;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int compare(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static int run(PGconn* conn, const char* sql, const char* schemas) {
  const char* params[2] = {schemas, "{}"};
  PGresult* r = PQexecParams(conn, sql, 2, NULL, params, NULL, NULL, 0);
  int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) fprintf(stderr, "query failed: %s", PQerrorMessage(conn));
  PQclear(r);
  return ok;
}

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: libpq_floor SECONDS ENUM_SQL USAGE_SQL [INTERVAL_MS] < targets\n");
    return 2;
  }
  double seconds = atof(argv[1]);
  double interval = argc == 5 ? atof(argv[4]) / 1000.0 : 0.0;
  char* enum_sql = slurp(argv[2]);
  char* usage_sql = strcmp(argv[3], "-") == 0 ? NULL : slurp(argv[3]);
  PGconn* conns[4096];
  char* schemas[4096];
  int n = 0;
  char line[4096];
  while (n < 4096 && fgets(line, sizeof line, stdin)) {
    char* tab = strchr(line, '\t');
    if (!tab) continue;
    *tab = 0;
    tab[strcspn(tab + 1, "\n") + 1] = 0;
    conns[n] = PQconnectdb(line);
    if (PQstatus(conns[n]) != CONNECTION_OK) {
      fprintf(stderr, "connect: %s", PQerrorMessage(conns[n]));
      return 2;
    }
    schemas[n] = malloc(strlen(tab + 1) + 3);
    sprintf(schemas[n], "{%s}", tab + 1);
    ++n;
  }
  struct rusage before, after;
  getrusage(RUSAGE_SELF, &before);
  size_t capacity = 1 << 20, polls = 0;
  double* latency = malloc(capacity * sizeof(double));
  double end = now() + seconds;
  double round_start = now();
  for (int i = 0; now() < end; i = (i + 1) % n) {
    if (i == 0 && interval > 0) {
      double wait = round_start + interval - now();
      if (wait > 0 && polls > 0) {
        struct timespec pause = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&pause, NULL);
      }
      round_start = now();
    }
    double start = now();
    if (!run(conns[i], enum_sql, schemas[i])) return 1;
    if (usage_sql && !run(conns[i], usage_sql, schemas[i])) return 1;
    if (polls < capacity) latency[polls] = (now() - start) * 1000.0;
    ++polls;
  }
  getrusage(RUSAGE_SELF, &after);
  double cpu = (double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
               (double)(after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
               ((double)(after.ru_utime.tv_usec - before.ru_utime.tv_usec) +
                (double)(after.ru_stime.tv_usec - before.ru_stime.tv_usec)) /
                   1e6;
  size_t kept = polls < capacity ? polls : capacity;
  qsort(latency, kept, sizeof(double), compare);
  printf("%zu %.3f %ld %.3f %.3f\n", polls, cpu, after.ru_maxrss, latency[kept / 2],
         latency[(size_t)((double)kept * 0.99)]);
  for (int i = 0; i < n; ++i) PQfinish(conns[i]);
  return 0;
}
