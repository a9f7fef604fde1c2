#include "logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstdlib>

#include "enumwatch/report/report.hpp"

namespace enumwatch {
namespace {

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    boost::json::object line;
    line["ts"] = format_timestamp(
        std::chrono::time_point_cast<std::chrono::system_clock::duration>(msg.time));
    line["level"] = std::string(spdlog::level::to_string_view(msg.level).data(),
                                spdlog::level::to_string_view(msg.level).size());
    line["msg"] = std::string(msg.payload.data(), msg.payload.size());
    const std::string text = boost::json::serialize(line) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

std::string describe_exception(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

void report_internal_error(const InternalErrorCounter& count, const std::string& component,
                           std::exception_ptr error) noexcept {
  try {
    spdlog::error(
        "internal error in {}: {} (counted in enumwatch_internal_errors_total; the {} "
        "goes on)",
        component, error ? describe_exception(error) : std::string("unknown"), component);
    if (count) count(component);
  } catch (...) {
    // Logging or counting failed (out of memory): nothing sensible is left to do here.
  }
}

std::function<void(std::exception_ptr)> report_escape(InternalErrorCounter count,
                                                      std::string component) {
  return [count = std::move(count), component = std::move(component)](std::exception_ptr e) {
    if (e) report_internal_error(count, component, e);
  };
}

void configure_logging(const std::string& level, const std::string& format) {
  static auto logger = [] {
    auto l = std::make_shared<spdlog::logger>("enumwatch",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    spdlog::set_default_logger(l);
    return l;
  }();
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else if (std::getenv("JOURNAL_STREAM")) {
    logger->set_pattern("%l: %v");
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l: %v");
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
}

}  // namespace enumwatch
