#include "enumwatch/dsn.hpp"

#include <libpq-fe.h>

#include <memory>
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
    std::string why = error ? redact_dsn(error.get()) : std::string("out of memory");
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw Error("invalid dsn \"" + redact_dsn(dsn) + "\": " + why);
  }
  ConnParams params;
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
    if (o->val) params.entries.emplace_back(o->keyword, o->val);
  }
  return params;
}

std::string redact_dsn(std::string_view text) {
  // key=value form: password=secret, password = 'se cret', password='it\'s'
  static const std::regex keyword(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&]*))",
                                  std::regex::icase);
  // URI form: postgresql://user:secret@host
  static const std::regex userinfo(R"(((?:postgres|postgresql)://[^:/@\s]*:)[^@\s]*@)",
                                   std::regex::icase);
  std::string out = std::regex_replace(std::string(text), keyword, "$1*****");
  return std::regex_replace(out, userinfo, "$1*****@");
}

}  // namespace enumwatch
