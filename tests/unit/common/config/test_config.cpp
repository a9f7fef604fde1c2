#include <doctest/doctest.h>

#include "enumwatch/config/config.hpp"
#include "enumwatch/core/error.hpp"

using namespace enumwatch;

namespace {

Config parse(std::string_view text) {
  return parse_config(text, "/etc/enumwatch/enumwatch.toml", "/etc/enumwatch");
}

std::string error_of(std::string_view text) {
  try {
    (void)parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("expected a config error");
  return {};
}

const std::string kBase = R"(
[snapshots.orders-app]
path = "snapshots/orders-app.toml"
[snapshots.api-one]

[[target]]
name = "orders-prod"
dsn = "host=db1 dbname=orders user=enumwatch"
snapshots = ["orders-app"]
)";

}  // namespace

TEST_CASE("the example config of docs/configuration.md parses with every section") {
  Config c = parse(R"(
[daemon]
listen = "127.0.0.1:9747"
state_dir = "/var/lib/enumwatch"
log_level = "info"
log_format = "json"
max_concurrent_polls = 4
per_enum_metrics = true
api_token_file = "api.token"

[defaults]
interval = "30s"
timeout = "10s"
schemas = []
exclude_schemas = ["audit"]
ignore = ["public.tmp_*"]
report_unexpected = true
check_order = false
naming = "snake_case"
drift_for = "1m"
migration_table = "alembic_version"

[snapshots.orders-app]
path = "/etc/enumwatch/snapshots/orders-app.toml"

[[target]]
name = "orders-prod"
dsn = "postgresql://enumwatch@db1/orders?sslmode=verify-full"
password_file = "/etc/enumwatch/orders.pass"
snapshots = ["orders-app"]
labels = { team = "payments", env = "prod" }
interval = "5s"

[alerting]
alertmanager_urls = ["http://127.0.0.1:9093"]
webhook_urls = []
resend_interval = "1m"
external_url = "http://ops-host:9747"
runbook_url = ""
)");
  CHECK(c.daemon.log_format == "json");
  CHECK(c.daemon.max_concurrent_polls == 4);
  CHECK(c.daemon.api_token_file == "/etc/enumwatch/api.token");
  REQUIRE(c.targets.size() == 1);
  const auto& t = c.targets[0];
  CHECK(t.options.interval == std::chrono::seconds(5));  // overridden
  CHECK(t.options.timeout == std::chrono::seconds(10));  // from [defaults]
  CHECK(t.options.drift_for == std::chrono::minutes(1));
  CHECK_FALSE(t.options.check_order);
  CHECK(t.options.scope.exclude_schemas == std::vector<std::string>{"audit"});
  CHECK(t.options.migration_table == "alembic_version");
  CHECK(t.labels.at("team") == "payments");
  CHECK(c.alerting.alertmanager_urls.size() == 1);
  CHECK(c.alerting.resend_interval == std::chrono::minutes(1));
}

TEST_CASE(
    "defaults apply when nothing is set, and relative paths resolve against the config's "
    "directory") {
  Config c = parse(kBase);
  CHECK(c.daemon.listen == "127.0.0.1:9747");
  CHECK(c.targets[0].options.interval == std::chrono::seconds(30));
  CHECK(c.targets[0].options.naming == NamingPolicy::snake_case);
  CHECK(c.snapshots.at("orders-app").path == "/etc/enumwatch/snapshots/orders-app.toml");
  CHECK_FALSE(c.snapshots.at("api-one").path.has_value());
}

TEST_CASE("unknown keys are errors with their location") {
  std::string e = error_of("[daemon]\nlisten = \"127.0.0.1:1\"\nlisten_port = 3\n");
  CHECK(e.rfind("/etc/enumwatch/enumwatch.toml:3:1:", 0) == 0);
  CHECK(e.find("unknown key daemon.listen_port") != std::string::npos);
  CHECK(error_of(kBase + "intervall = \"1s\"\n").find("unknown key target.intervall") !=
        std::string::npos);
  CHECK(error_of("[defaults]\nfoo = 1\n").find("unknown key defaults.foo") != std::string::npos);
  CHECK(error_of("[nonsense]\n").find("unknown key nonsense") != std::string::npos);
}

TEST_CASE("durations must be written with a unit") {
  CHECK(error_of("[defaults]\ninterval = \"30\"\n").find("is not a duration") != std::string::npos);
  CHECK(error_of("[defaults]\ninterval = 30\n").find("must be a string") != std::string::npos);
  CHECK(parse_duration("500ms") == std::chrono::milliseconds(500));
  CHECK(parse_duration("1m30s") == std::chrono::seconds(90));
  CHECK(parse_duration("2h") == std::chrono::hours(2));
  CHECK_FALSE(parse_duration("5 s"));
  CHECK_FALSE(parse_duration("-1s"));
}

TEST_CASE("targets need a valid unique name, a parseable dsn and defined snapshots") {
  CHECK(
      error_of(
          kBase +
          "[[target]]\nname = \"orders-prod\"\ndsn = \"dbname=x\"\nsnapshots = [\"orders-app\"]\n")
          .find("duplicate target name \"orders-prod\"") != std::string::npos);
  CHECK(error_of("[[target]]\nname = \"bad name!\"\ndsn = \"dbname=x\"\nsnapshots = []\n")
            .find("must match") != std::string::npos);
  std::string e =
      error_of(kBase + "[[target]]\nname = \"b\"\ndsn = \"dbname=x\"\nsnapshots = [\"nope\"]\n");
  CHECK(e.find("snapshot \"nope\" which is not defined") != std::string::npos);
  CHECK(e.find(":13:") != std::string::npos);  // the snapshots key of that target
  CHECK(error_of("[snapshots.s]\n[[target]]\nname = \"b\"\ndsn = \"dbname=x\"\nsnapshots = []\n")
            .find("names no snapshots") != std::string::npos);
}

TEST_CASE("a broken dsn is an error that never shows the password") {
  std::string e = error_of(
      "[snapshots.s]\n[[target]]\nname = \"b\"\ndsn = \"host=x password=hunter2 "
      "bogus_key=1\"\nsnapshots = [\"s\"]\n");
  CHECK(e.find("invalid dsn") != std::string::npos);
  CHECK(e.find("hunter2") == std::string::npos);
}

TEST_CASE("enumerated settings reject values outside their set") {
  CHECK(error_of("[daemon]\nlog_level = \"loud\"\n").find("trace, debug, info, warn or error") !=
        std::string::npos);
  CHECK(error_of("[daemon]\nlog_format = \"xml\"\n").find("text or json") != std::string::npos);
  CHECK(error_of("[defaults]\nnaming = \"camel\"\n").find("snake_case") != std::string::npos);
  CHECK(error_of("[daemon]\nlisten = \"nowhere\"\n").find("host:port") != std::string::npos);
  CHECK(error_of("[daemon]\nmax_concurrent_polls = 0\n").find("between 1 and 10000") !=
        std::string::npos);
  CHECK(error_of("[alerting]\nalertmanager_urls = [\"ftp://x\"]\n")
            .find("entry 1: only http:// and https://") != std::string::npos);
}

TEST_CASE("label names must be Prometheus label names and not collide with alert labels") {
  CHECK(error_of(kBase + "labels = { severity = \"x\" }\n").find("cannot be a label name") !=
        std::string::npos);
  CHECK(error_of(kBase + "labels = { \"bad-name\" = \"x\" }\n").find("cannot be a label name") !=
        std::string::npos);
}

TEST_CASE("invalid TOML names line and column") {
  std::string e = error_of("[daemon]\nlisten = \n");
  CHECK(e.rfind("/etc/enumwatch/enumwatch.toml:2:", 0) == 0);
}

TEST_CASE("listen addresses accept IPv4, IPv6 and names") {
  CHECK(parse_listen("127.0.0.1:9747")->port == 9747);
  CHECK(parse_listen("[::1]:80")->host == "::1");
  CHECK(parse_listen("localhost:0")->host == "localhost");
  CHECK_FALSE(parse_listen("127.0.0.1:99999"));
  CHECK_FALSE(parse_listen(":80"));
}

TEST_CASE("the migration table's format follows its name unless migration_tool says otherwise") {
  auto tool_for = [](const std::string& settings) {
    return parse("[defaults]\n" + settings + kBase).targets.at(0).options.migration_tool;
  };
  CHECK(tool_for("migration_table = \"alembic_version\"") == MigrationTool::alembic);
  CHECK(tool_for("migration_table = \"flyway_schema_history\"") == MigrationTool::flyway);
  CHECK(tool_for("migration_table = \"app.schema_migrations\"") ==
        MigrationTool::schema_migrations);
  CHECK(tool_for("migration_table = \"history\"\nmigration_tool = \"flyway\"") ==
        MigrationTool::flyway);
  // A target naming its own table does not inherit the tool of [defaults]'s table.
  Config mixed = parse("[defaults]\nmigration_table = \"flyway_schema_history\"\n" + kBase +
                       "migration_table = \"alembic_version\"\n");
  CHECK(mixed.targets.at(0).options.migration_tool == MigrationTool::alembic);
  CHECK(error_of("[defaults]\nmigration_tool = \"liquibase\"\n" + kBase)
            .find("use \"alembic\", \"flyway\" or \"schema_migrations\"") != std::string::npos);
  CHECK(parse(kBase).targets.at(0).options.revision_check_interval == std::chrono::seconds(5));
  CHECK(parse("[defaults]\nrevision_check_interval = \"0s\"\n" + kBase)
            .targets.at(0)
            .options.revision_check_interval.count() == 0);
}

TEST_CASE("interval_listening defaults to 5m; shard is \"\", \"auto\" or \"K/N\" with its line") {
  CHECK(parse(kBase).targets.at(0).options.interval_listening == std::chrono::minutes(5));
  CHECK(parse("[defaults]\ninterval_listening = \"1m\"\n" + kBase)
            .targets.at(0)
            .options.interval_listening == std::chrono::minutes(1));
  CHECK(error_of("[defaults]\ninterval_listening = \"1ms\"\n" + kBase)
            .find("defaults.interval_listening must be at least 100ms") != std::string::npos);
  CHECK(parse(kBase).daemon.shard.kind == ShardSetting::Kind::none);
  CHECK(parse("[daemon]\nshard = \"1/4\"\n" + kBase).daemon.shard ==
        ShardSetting{ShardSetting::Kind::fixed, 1, 4});
  const std::string bad = error_of("[daemon]\nshard = \"4/4\"\n" + kBase);
  CHECK(bad.find(":2:") != std::string::npos);  // the line of the key
  CHECK(bad.find("daemon.shard = \"4/4\": write \"K/N\"") != std::string::npos);
  CHECK(parse(kBase).daemon.poll_duration_histogram == DurationHistogram::automatic);
  CHECK(parse("[daemon]\npoll_duration_histogram = \"fleet\"\n" + kBase)
            .daemon.poll_duration_histogram == DurationHistogram::fleet);
  CHECK(error_of("[daemon]\npoll_duration_histogram = \"none\"\n" + kBase)
            .find("use \"auto\", \"per_target\" or \"fleet\"") != std::string::npos);
}

TEST_CASE("receiver URLs are checked without repeating them; TLS settings go together") {
  const std::string https =
      kBase + "[alerting]\nwebhook_urls = [\"https://hooks.example/T0KEN\"]\n";
  const Config with_https = parse(https);
  CHECK(with_https.alerting.webhook_urls.size() == 1);
  const std::string odd = kBase + "[alerting]\nalertmanager_urls = [\"ftp://u:s3cret@am\"]\n";
  CHECK(error_of(odd).find("only http:// and https://") != std::string::npos);
  CHECK(error_of(odd).find("s3cret") == std::string::npos);
  const std::string no_host =
      kBase + "[alerting]\nwebhook_urls = [\"http://h/\", \"http://alerts:SECRETPW@/x?token=T\"]\n";
  CHECK(error_of(no_host).find("webhook_urls entry 2: no host") != std::string::npos);
  CHECK(error_of(no_host).find("SECRETPW") == std::string::npos);
  CHECK(error_of(no_host).find("token") == std::string::npos);
  const Config with_credentials = parse(
      kBase + "[alerting]\nwebhook_urls = [\"http://alerts:PW@hooks.example/hook?token=T\"]\n");
  CHECK(with_credentials.alerting.webhook_urls.size() == 1);
  CHECK(error_of(kBase + "[alerting]\ntls_cert_file = \"c.pem\"\n").find("go together") !=
        std::string::npos);
  CHECK(error_of(kBase + "[daemon]\ntls_cert_file = \"c.pem\"\n").find("go together") !=
        std::string::npos);
  CHECK(error_of(kBase + "[daemon]\ntls_client_ca_file = \"ca.pem\"\n").find("set tls_cert_file") !=
        std::string::npos);
  const Config tls =
      parse(kBase + "[daemon]\ntls_cert_file = \"c.pem\"\ntls_key_file = \"k.pem\"\n");
  CHECK(tls.daemon.tls_cert_file == "/etc/enumwatch/c.pem");
}

TEST_CASE("notify is auto by default, set per target, and notify_dsn is checked but never shown") {
  const Config defaults = parse(kBase);
  CHECK(defaults.targets.at(0).options.notify == NotifyMode::automatic);
  CHECK(defaults.targets.at(0).options.notify_dsn.empty());
  const Config set = parse("[defaults]\nnotify = \"off\"\n" + kBase +
                           "notify = \"on\"\nnotify_dsn = \"host=db1-direct dbname=orders\"\n");
  CHECK(set.targets.at(0).options.notify == NotifyMode::on);
  CHECK(set.targets.at(0).options.notify_dsn == "host=db1-direct dbname=orders");
  CHECK(error_of("[defaults]\nnotify = \"yes\"\n").find("\"auto\", \"on\" or \"off\"") !=
        std::string::npos);
  const std::string broken =
      error_of(kBase + "notify_dsn = \"host=x password='Hunter2pw\"\n");  // unterminated quote
  CHECK(broken.find("notify_dsn") != std::string::npos);
  CHECK(broken.find("Hunter2pw") == std::string::npos);
}

TEST_CASE(
    "migration_lock is auto with a 15m grace by default, both set in [defaults] or a target") {
  const Config defaults = parse(kBase);
  CHECK(defaults.targets.at(0).options.watch_migration_locks);
  CHECK(defaults.targets.at(0).options.migration_grace == std::chrono::minutes(15));
  const Config set = parse("[defaults]\nmigration_lock = \"off\"\nmigration_grace = \"2m\"\n" +
                           kBase + "migration_grace = \"30s\"\n");
  CHECK_FALSE(set.targets.at(0).options.watch_migration_locks);
  CHECK(set.targets.at(0).options.migration_grace == std::chrono::seconds(30));
  CHECK(error_of("[defaults]\nmigration_lock = \"on\"\n").find("use \"auto\" or \"off\"") !=
        std::string::npos);
  CHECK(error_of("[defaults]\nmigration_grace = \"10ms\"\n").find("at least 1s") !=
        std::string::npos);
}
