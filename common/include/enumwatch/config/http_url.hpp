// The one parser of the http[s] URLs enumwatch sends requests to: alert receivers
// ([alerting] alertmanager_urls, webhook_urls) and the daemon's API for the pipeline commands.
// Receiver URLs carry secrets — a password in the userinfo, a token in the path or the query
// (docs/security.md, "Receiver URLs and their secrets") — so a URL is shown to people only in its
// redacted form, scheme://host:port, and never in an error message.
#pragma once

#include <string>
#include <string_view>

namespace enumwatch {

struct HttpUrl {
  bool tls = false;   // https://
  std::string host;   // percent-decoded; an IPv6 address without its brackets
  std::string port;   // always set: 80 or 443 when the URL has none
  std::string path;   // as written (percent-encoded); "/" at least, no trailing slash beyond that
  std::string query;  // as written, without the '?'; empty when there is none
  bool has_userinfo = false;
  std::string user;      // percent-decoded
  std::string password;  // percent-decoded

  // "scheme://host:port": how a receiver is named in logs, metric labels, the API and the status
  // page. Nothing of it is secret.
  [[nodiscard]] std::string redacted() const;

  // What goes on the request line: the path, `suffix` appended to it (the API path of an
  // Alertmanager, "/api/v2/alerts"), and the query.
  [[nodiscard]] std::string request_target(std::string_view suffix = {}) const;

  // The Authorization header for the userinfo (HTTP Basic, RFC 7617), empty without userinfo.
  [[nodiscard]] std::string basic_authorization() const;

  // The text with every secret of this URL (user, password, path, query and its values) replaced
  // by "*****": for text the other side wrote, which may echo the request back to us.
  [[nodiscard]] std::string scrub(std::string_view text) const;
};

// Parses http[s]://[user[:password]@]host[:port][/path][?query][#fragment] (the fragment is
// never sent). Throws Error saying what is wrong without quoting the URL: callers name it by
// their own context (the config key, redacted_url()).
[[nodiscard]] HttpUrl parse_http_url(std::string_view url);

// parse_http_url(url).redacted(), or "invalid URL" when it does not parse.
[[nodiscard]] std::string redacted_url(std::string_view url);

// A receiver's answer, fit for a log line and the status page: its secrets scrubbed (see
// HttpUrl::scrub), at most kAnswerExcerptBytes of it, and every control character escaped.
inline constexpr std::size_t kAnswerExcerptBytes = 200;
[[nodiscard]] std::string answer_excerpt(const HttpUrl& url, std::string_view body);

[[nodiscard]] std::string base64_encode(std::string_view bytes);

// A host name as DNS and the resolver know it: ASCII letters, digits, '-', '.', '_'. Anything
// else — a percent-encoded control character, a space, a slash — is no host we can reach, and
// would end up in log lines.
[[nodiscard]] bool is_host_name(std::string_view host);

}  // namespace enumwatch
