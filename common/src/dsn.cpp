#include "enumwatch/dsn.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>

#include "enumwatch/error.hpp"

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
    std::string why =
        error ? std::regex_replace(std::string(error.get()), std::regex(R"("[^"]*")"), "\"…\"")
              : std::string("out of memory");
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
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

std::string redact_dsn(std::string_view text) {
  // key=value form: password=secret, password = 'se cret', password='it\'s'
  static const std::regex keyword(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&]*))",
                                  std::regex::icase);
  // URI form: postgresql://user:secret@host
  // URI form, to the last @ of the URI: a password may hold @, / or : itself.
  static const std::regex userinfo(R"(((?:postgres|postgresql)://[^:/@\s]*:)\S*@)",
                                   std::regex::icase);
  std::string out = std::regex_replace(std::string(text), keyword, "$1*****");
  return std::regex_replace(out, userinfo, "$1*****@");
}

}  // namespace enumwatch
