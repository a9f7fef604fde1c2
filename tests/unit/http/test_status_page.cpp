#include <doctest/doctest.h>

#include "http/page/status_page.hpp"

using namespace enumwatch;
using namespace std::chrono_literals;

namespace {

const PageAssets kAssets{"body{}", "/*script*/"};

StatusPage sample() {
  StatusPage page;
  page.now = std::chrono::system_clock::time_point(std::chrono::seconds(2'000'000'000));
  page.version = "1.2.3";
  TargetReport up;
  up.name = "orders-prod";
  up.up = true;
  up.polled_at = page.now - 42s;
  DriftItem item;
  item.target = "orders-prod";
  item.schema = "public";
  item.enum_name = "<script>alert(1)</script>";
  item.kind = DriftKind::unexpected_type;
  item.actual = std::vector<std::string>{"a\"b", "c&d"};
  item.message = "enum \"<img src=x onerror=alert(1)>\" exists";
  item.remediation_sql = "DROP TYPE \"public\".\"<script>\";";
  up.drift = {item};
  TargetReport down;
  down.name = "billing";
  down.error = "connection refused <b>";
  page.targets = {up, down};
  page.labels["orders-prod"] = {{"team", "pay'ments"}};
  SnapshotView snapshot;
  snapshot.name = "app";
  snapshot.registered = true;
  snapshot.digest = "0123456789abcdef0123";
  snapshot.registered_at = page.now - 3h;
  snapshot.history = {{"0123456789ab", page.now - 3h}, {"fedcba987654", page.now - 50h}};
  page.snapshots = {snapshot};
  page.receivers = {{"http://am:9093", "alertmanager", page.now - 5s, page.now - 1h, "", 0}};
  return page;
}

}  // namespace

TEST_CASE("every string from a catalog, a config or an error is text, never markup") {
  const std::string overview = render_overview(sample(), kAssets);
  CHECK(overview.find("connection refused &lt;b&gt;") != std::string::npos);
  CHECK(overview.find("<b>") == std::string::npos);
  CHECK(overview.find("team=pay&#39;ments") != std::string::npos);
  const auto target = render_target_page(sample(), "orders-prod", kAssets);
  REQUIRE(target);
  CHECK(target->find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(target->find("<script>alert") == std::string::npos);
  CHECK(target->find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
  CHECK(target->find("DROP TYPE &quot;public&quot;.&quot;&lt;script&gt;&quot;;") !=
        std::string::npos);
  // The only <script> is the page's own.
  std::size_t scripts = 0;
  for (auto at = target->find("<script"); at != std::string::npos;
       at = target->find("<script", at + 1))
    ++scripts;
  CHECK(scripts == 1);
  CHECK(html_escape(std::string("a\0b", 3)) ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(html_escape("\xff") == "\xEF\xBF\xBD");
}

TEST_CASE("the overview is a table a person can read without JavaScript") {
  const std::string html = render_overview(sample(), kAssets);
  CHECK(html.find("<table id=\"targets\">") != std::string::npos);
  CHECK(html.find("<caption>") != std::string::npos);
  CHECK(html.find("scope=\"col\"") != std::string::npos);
  CHECK(html.find("<tr class=\"down\" data-target=\"billing\">") != std::string::npos);
  CHECK(html.find("<tr class=\"info\" data-target=\"orders-prod\">") != std::string::npos);
  CHECK(html.find("<a href=\"/targets/orders-prod\">orders-prod</a>") != std::string::npos);
  CHECK(html.find("42 s ago") != std::string::npos);
  CHECK(html.find("not polled yet") == std::string::npos);  // it has an error: show that
  CHECK(html.find("2 earlier") != std::string::npos);       // the snapshot's history
  CHECK(html.find("http://am:9093") != std::string::npos);
  CHECK(html.find("body{}") != std::string::npos);  // the style is inline
  CHECK(html.find("<link") == std::string::npos);   // and nothing is loaded from anywhere
  CHECK(html.find("src=") == std::string::npos);
}

TEST_CASE("a target page lists its items with the fix; an unknown target has none") {
  const auto html = render_target_page(sample(), "orders-prod", kAssets);
  REQUIRE(html);
  CHECK(html->find("data-copy=\"sql-0\"") != std::string::npos);
  CHECK(html->find("<code id=\"sql-0\">") != std::string::npos);
  CHECK(html->find("Drift (<span id=\"drift-count\">1</span>)") != std::string::npos);
  CHECK_FALSE(render_target_page(sample(), "nope", kAssets));
  CHECK(target_page_path("orders-prod.eu_1") == "/targets/orders-prod.eu_1");
}

TEST_CASE("a live update swaps in the very markup the page was rendered with") {
  // The script fetches /targets/NAME/row and the target page and swaps their parts in: the
  // daemon is the one renderer, so a name or label full of quotes reads the same either way.
  StatusPage page = sample();
  page.labels["orders-prod"] = {{"team", "it's \"quoted\""}};
  const std::string overview = render_overview(page, kAssets);
  for (const auto& t : page.targets) {
    const auto row = render_target_row(page, t.name);
    REQUIRE(row);
    CHECK(row->starts_with("<tr "));
    CHECK(overview.find(*row) != std::string::npos);
  }
  CHECK(render_target_row(page, "orders-prod")->find("team=it&#39;s &quot;quoted&quot;") !=
        std::string::npos);
  CHECK_FALSE(render_target_row(page, "nope"));
  // What a poll changes on a target page is one element: state, age, revision and drift.
  const auto target = render_target_page(page, "orders-prod", kAssets);
  REQUIRE(target);
  const auto live = target->find("<div id=\"target-live\">");
  REQUIRE(live != std::string::npos);
  for (const char* part : {"id=\"target-state\"", "id=\"target-age\"", "id=\"target-revision\"",
                           "id=\"drift-count\"", "<code id=\"sql-0\">"})
    CHECK(target->find(part, live) != std::string::npos);
}

TEST_CASE("the CSP allows the page's own style and script by hash, and nothing inline else") {
  const std::string policy = content_security_policy(kAssets);
  CHECK(policy.find("unsafe-inline") == std::string::npos);
  // base64(SHA-256("\nbody{}")) and base64(SHA-256("\n/*script*/")): the text between the tags.
  CHECK(policy.find("style-src 'sha256-ektrY5hdMf4xmv+uLk4m+OGmFlSrViakJtcU/JNHvbk=';") !=
        std::string::npos);
  CHECK(policy.find("script-src 'sha256-UFJpCD0pEBOkxIAz33CyQ2AER0K/xftiYEBRqfL76s8=';") !=
        std::string::npos);
  CHECK(policy.starts_with("default-src 'none';"));
  // The page carries exactly the hashed text, on both kinds of page.
  const std::string overview = render_overview(sample(), kAssets);
  CHECK(overview.find("<style>\nbody{}</style>") != std::string::npos);
  CHECK(overview.find("<script>\n/*script*/</script>") != std::string::npos);
  const auto target = render_target_page(sample(), "orders-prod", kAssets);
  REQUIRE(target);
  CHECK(target->find("<style>\nbody{}</style>") != std::string::npos);
  CHECK(target->find("<script>\n/*script*/</script>") != std::string::npos);
}

TEST_CASE("ages read like a person says them") {
  const auto now = std::chrono::system_clock::now();
  CHECK(age_text(std::nullopt, now) == "never");
  CHECK(age_text(now - 5s, now) == "5 s ago");
  CHECK(age_text(now - 300s, now) == "5 min ago");
  CHECK(age_text(now - 5h, now) == "5 h ago");
  CHECK(age_text(now - 72h, now) == "3 d ago");
}
