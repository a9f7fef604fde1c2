#include "enumwatch/config/dsn.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/text.hpp"

namespace enumwatch {
namespace {

struct ConninfoFree {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
struct PQFree {
  void operator()(char* p) const { PQfreemem(p); }
};

std::string quote_conninfo_value(const std::string& value) {
  if (!value.empty() && value.find_first_of(" '\\\t\n") == std::string::npos) return value;
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

const std::string* ConnParams::find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

void ConnParams::set(std::string_view key, std::string value) {
  for (auto& [k, v] : entries) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  entries.emplace_back(std::string(key), std::move(value));
}

std::string ConnParams::redacted() const {
  std::string out;
  for (const auto& [k, v] : entries) {
    if (!out.empty()) out += ' ';
    out += k + '=' + (k == "password" ? std::string("*****") : quote_conninfo_value(v));
  }
  return out;
}

ConnParams parse_dsn(std::string_view dsn) {
  char* raw_error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoFree> options(
      PQconninfoParse(std::string(dsn).c_str(), &raw_error));
  std::unique_ptr<char, PQFree> error(raw_error);
  if (!options) {
    // libpq quotes the offending piece of the string ('missing "=" after "s3cret"', 'invalid
    // percent-encoded token: "p%ZZw"'), and that piece may be the password: say what is wrong,
    // never which text, and never echo the DSN itself.
    // The piece is not escaped (it may hold quotes itself), so everything from the first quote
    // to the last goes; 'missing "=" after' keeps its "=".
    std::string why = error ? std::string(error.get()) : std::string("out of memory");
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    const auto first = why.find('"'), last = why.rfind('"');
    if (first != std::string::npos && last > first) {
      constexpr std::string_view kMissingEquals = "missing \"=\" after \"";
      const std::string head =
          why.starts_with(kMissingEquals) ? std::string(kMissingEquals) : why.substr(0, first + 1);
      why = head + "…\"" + why.substr(last + 1);
    }
    why = escape_control(why);
    throw Error("invalid dsn: " + why + " (the dsn is not shown: it may hold a password)");
  }
  ConnParams params;
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
    if (o->val) params.entries.emplace_back(o->keyword, o->val);
  }
  return params;
}

namespace {

// The [name] section of a pg_service.conf, or nothing if the file or the section is absent.
std::optional<std::vector<std::pair<std::string, std::string>>> service_section(
    const std::string& path, std::string_view name) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::optional<std::vector<std::pair<std::string, std::string>>> found;
  bool inside = false;
  std::string line;
  auto trim = [](std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return std::string();
    const auto last = text.find_last_not_of(" \t\r");
    return std::string(text.substr(first, last - first + 1));
  };
  while (std::getline(in, line)) {
    const std::string text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    if (text.front() == '[') {
      if (found && inside) break;
      inside = text == "[" + std::string(name) + "]";
      if (inside) found.emplace();
      continue;
    }
    const auto equals = text.find('=');
    if (inside && equals != std::string::npos)
      found->emplace_back(trim(text.substr(0, equals)), trim(text.substr(equals + 1)));
  }
  return found;
}

}  // namespace

void expand_service(ConnParams& params) {
  std::string name;
  if (const auto* s = params.find("service")) {
    name = *s;
  } else if (const char* env = std::getenv("PGSERVICE")) {
    name = env;
  }
  if (name.empty()) return;
  std::vector<std::string> files;
  if (const char* file = std::getenv("PGSERVICEFILE")) {
    files.emplace_back(file);
  } else if (const char* home = std::getenv("HOME")) {
    files.push_back(std::string(home) + "/.pg_service.conf");
  }
  const char* sysconf = std::getenv("PGSYSCONFDIR");
  files.push_back(std::string(sysconf ? sysconf : "/etc/postgresql-common") + "/pg_service.conf");
  for (const auto& file : files) {
    auto section = service_section(file, name);
    if (!section) continue;
    for (auto& [key, value] : *section) {
      if (key != "service" && !params.find(key)) params.set(key, std::move(value));
    }
    return;
  }
  throw Error("service \"" + name + "\" is in no connection service file (looked in " +
              files.front() + (files.size() > 1 ? " and " + files.back() : std::string()) + ")");
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Where `value` ends if it is spelled at `text[begin]`, each byte as itself or percent-encoded
// (libpq decodes URI values, so a password given as "%48unter2" is "Hunter2"; found by fuzz_dsn
// in CI), or escaped with a backslash (libpq unescapes key=value values, quoted or not). Every
// spelling is followed, since "%25" may be meant either way. The longest spelling wins.
std::optional<std::size_t> spelled_end(std::string_view text, std::size_t begin,
                                       std::string_view value) {
  std::vector<std::size_t> reached{begin}, next;
  for (const char wanted : value) {
    next.clear();
    for (const std::size_t at : reached) {
      if (at < text.size() && text[at] == wanted) next.push_back(at + 1);
      if (at + 1 < text.size() && text[at] == '\\' && text[at + 1] == wanted)
        next.push_back(at + 2);
      if (at + 2 < text.size() && text[at] == '%') {
        const int high = hex_digit(text[at + 1]), low = hex_digit(text[at + 2]);
        if (high >= 0 && low >= 0 && static_cast<char>(high * 16 + low) == wanted)
          next.push_back(at + 3);
      }
    }
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    if (next.empty()) return std::nullopt;
    reached.swap(next);
  }
  return reached.back();
}

}  // namespace

std::string redact_dsn(std::string_view text) {
  // key=value form: password=secret, password = 'se cret', password='it\'s'. An unquoted value
  // runs to the next space (libpq's rule; found by fuzz_dsn: "password=a&b" is all password),
  // so in a URI query the parameters after it are hidden too. A backslash escapes the next byte
  // in an unquoted value as in a quoted one (found by fuzz_dsn in CI: "password=a\\<tab>b" is one
  // password holding a tab).
  static const std::regex keyword(
      R"((password\s*=\s*)('(?:[^'\\]|\\[\s\S])*'?|(?:[^\s\\]|\\[\s\S]?)*))", std::regex::icase);
  // URI form, postgresql://user:secret@host, to the last @ of the URI: a password may hold @, /
  // or : itself.
  static const std::regex userinfo(R"(((?:postgres|postgresql)://[^:/@\s]*:)\S*@)",
                                   std::regex::icase);
  // libpq itself ends the userinfo at the first "@" or "/", and takes spaces in it (found by
  // fuzz_dsn: "postgresql://a b:secret@h" connects with that password).
  static const std::regex libpq_userinfo(R"(((?:postgres|postgresql)://[^:/@]*:)[^@/]*@)",
                                         std::regex::icase);
  // Every pattern looks at the original text and marks what to hide; the marked spans are then
  // masked together, so that no pattern can reshape the text another one needs (found by
  // fuzz_dsn: a URI password holding "password=", a query password holding a URI).
  const std::string original(text);
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // [begin, end)
  auto mark = [&](const std::regex& pattern, bool ends_with_at) {
    for (std::sregex_iterator m(original.begin(), original.end(), pattern), done; m != done; ++m) {
      const auto begin = static_cast<std::size_t>(m->position(0) + m->length(1));
      const auto end =
          static_cast<std::size_t>(m->position(0) + m->length(0)) - (ends_with_at ? 1 : 0);
      if (end > begin) spans.emplace_back(begin, end);
    }
  };
  mark(keyword, false);
  mark(userinfo, true);
  mark(libpq_userinfo, true);
  // When the whole text is a DSN, libpq knows exactly which text is the password (not one of 1-3
  // characters: that would hide ordinary words; the patterns hide it where it stands).
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoFree> options(
      PQconninfoParse(original.c_str(), &error));
  std::unique_ptr<char, PQFree> owned_error(error);
  for (const PQconninfoOption* o = options ? options.get() : nullptr; o && o->keyword; ++o) {
    if (!o->val || std::string_view(o->keyword) != "password") continue;
    const std::string password = o->val;
    if (password.size() < 4) break;
    for (std::size_t at = 0; at < original.size(); ++at)
      if (const auto end = spelled_end(original, at, password)) spans.emplace_back(at, *end);
  }
  std::sort(spans.begin(), spans.end());
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < spans.size();) {
    std::size_t begin = spans[i].first, end = spans[i].second;
    for (++i; i < spans.size() && spans[i].first <= end; ++i) end = std::max(end, spans[i].second);
    if (begin < copied) begin = copied;
    out += original.substr(copied, begin - copied) + "*****";
    copied = std::max(copied, end);
  }
  return out + original.substr(std::min(copied, original.size()));
}

std::string connection_key(const ConnParams& params) {
  auto entries = params.entries;
  std::sort(entries.begin(), entries.end());
  std::string key;
  for (const auto& [name, value] : entries) {
    // Lengths first: no value can be written to look like two entries.
    key += std::to_string(name.size()) + ':' + name + '=' + std::to_string(value.size()) + ':' +
           value + ';';
  }
  return key;
}

}  // namespace enumwatch
