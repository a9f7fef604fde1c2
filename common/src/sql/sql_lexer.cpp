#include "enumwatch/sql/sql_lexer.hpp"

#include <cctype>

#include "enumwatch/core/error.hpp"
#include "enumwatch/core/utf8.hpp"
#include "enumwatch/sql/sql_quote.hpp"

namespace enumwatch {
namespace {

bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_ident_char(char c) {
  return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

[[noreturn]] void unterminated(std::string_view what, std::size_t at) {
  throw Error("SQL: " + std::string(what) + " starting at byte " + std::to_string(at) +
              " is not closed");
}

// End (one past the closing quote) of a quoted token whose opening quote is at `open`; a doubled
// quote stands for itself, and with backslash_escapes a backslash takes the next byte.
std::size_t quoted_end(std::string_view sql, std::size_t open, char quote, bool backslash_escapes,
                       std::string_view what) {
  for (std::size_t i = open + 1; i < sql.size(); ++i) {
    if (backslash_escapes && sql[i] == '\\') {
      ++i;
      continue;
    }
    if (sql[i] != quote) continue;
    if (i + 1 < sql.size() && sql[i + 1] == quote) {
      ++i;
      continue;
    }
    return i + 1;
  }
  unterminated(what, open);
}

// A dollar-quote tag ($$ or $tag$) at `at`, or empty when `$` starts something else ($1).
std::string_view dollar_tag(std::string_view sql, std::size_t at) {
  std::size_t i = at + 1;
  if (i < sql.size() && sql[i] == '$') return sql.substr(at, 2);
  if (i >= sql.size() || !is_ident_start(sql[i])) return {};
  while (i < sql.size() && sql[i] != '$') {
    if (!is_ident_char(sql[i])) return {};
    ++i;
  }
  if (i >= sql.size()) return {};
  return sql.substr(at, i - at + 1);
}

// Reads up to `max` digits of `base` at `i`, advancing it.
char32_t read_digits(std::string_view s, std::size_t& i, int base, int max) {
  char32_t value = 0;
  for (int n = 0; n < max && i < s.size(); ++n, ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    int digit = std::isdigit(c) ? c - '0' : std::isxdigit(c) ? (std::tolower(c) - 'a' + 10) : 99;
    if (digit >= base) break;
    value = value * base + static_cast<char32_t>(digit);
  }
  return value;
}

// The inside of E'...': C-style escapes (PostgreSQL docs, 4.1.2.2).
std::string decode_escape_string(std::string_view body) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\'' && i + 1 < body.size() && body[i + 1] == '\'') {
      out += '\'';
      ++i;
      continue;
    }
    if (body[i] != '\\' || i + 1 >= body.size()) {
      out += body[i];
      continue;
    }
    const char e = body[++i];
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'x': {
        std::size_t j = i + 1;
        out += static_cast<char>(read_digits(body, j, 16, 2));
        i = j - 1;
        break;
      }
      case 'u':
      case 'U': {
        std::size_t j = i + 1;
        append_utf8(out, read_digits(body, j, 16, e == 'u' ? 4 : 8));
        i = j - 1;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          std::size_t j = i;
          out += static_cast<char>(read_digits(body, j, 8, 3));
          i = j - 1;
        } else {
          out += e;
        }
    }
  }
  return out;
}

// The inside of U&'...' or U&"...": \XXXX, \+XXXXXX and \\ (the default escape character).
std::string decode_unicode_escapes(std::string_view body, char quote) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == quote && i + 1 < body.size() && body[i + 1] == quote) {
      out += quote;
      ++i;
    } else if (body[i] == '\\' && i + 1 < body.size() && body[i + 1] == '\\') {
      out += '\\';
      ++i;
    } else if (body[i] == '\\') {
      std::size_t j = i + 1;
      const bool wide = j < body.size() && body[j] == '+';
      if (wide) ++j;
      append_utf8(out, read_digits(body, j, 16, wide ? 6 : 4));
      i = j - 1;
    } else {
      out += body[i];
    }
  }
  return out;
}

std::string undouble(std::string_view body, char quote) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    out += body[i];
    if (body[i] == quote && i + 1 < body.size() && body[i + 1] == quote) ++i;
  }
  return out;
}

}  // namespace

std::vector<SqlToken> lex_sql(std::string_view sql) {
  std::vector<SqlToken> tokens;
  std::size_t bare_start = 0;
  auto push = [&](SqlToken::Kind kind, std::size_t begin, std::size_t end) {
    if (begin > bare_start)
      tokens.push_back({SqlToken::Kind::bare, sql.substr(bare_start, begin - bare_start)});
    tokens.push_back({kind, sql.substr(begin, end - begin)});
    bare_start = end;
  };
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    // A prefix letter belongs to the quote only when it does not end a longer word (name'x').
    const bool word_before = i > 0 && is_ident_char(sql[i - 1]);
    if (c == '-' && next == '-') {
      std::size_t end = sql.find('\n', i);
      end = end == std::string_view::npos ? sql.size() : end;
      push(SqlToken::Kind::comment, i, end);
      i = end;
    } else if (c == '/' && next == '*') {
      int depth = 0;
      std::size_t j = i;
      do {
        if (j + 1 >= sql.size()) unterminated("a /* comment", i);
        if (sql[j] == '/' && sql[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (sql[j] == '*' && sql[j + 1] == '/') {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      } while (depth > 0);
      push(SqlToken::Kind::comment, i, j);
      i = j;
    } else if (c == '\'') {
      const std::size_t end = quoted_end(sql, i, '\'', false, "a string literal");
      push(SqlToken::Kind::literal, i, end);
      i = end;
    } else if ((c == 'E' || c == 'e') && next == '\'' && !word_before) {
      const std::size_t end = quoted_end(sql, i + 1, '\'', true, "an E'' string literal");
      push(SqlToken::Kind::literal, i, end);
      i = end;
    } else if ((c == 'U' || c == 'u') && next == '&' && i + 2 < sql.size() &&
               (sql[i + 2] == '\'' || sql[i + 2] == '"') && !word_before) {
      const char quote = sql[i + 2];
      const std::size_t end = quoted_end(sql, i + 2, quote, false, "a U& quoted token");
      push(quote == '\'' ? SqlToken::Kind::literal : SqlToken::Kind::identifier, i, end);
      i = end;
    } else if (c == '"') {
      const std::size_t end = quoted_end(sql, i, '"', false, "a quoted identifier");
      push(SqlToken::Kind::identifier, i, end);
      i = end;
    } else if (c == '$' && !word_before && !dollar_tag(sql, i).empty()) {
      const std::string_view tag = dollar_tag(sql, i);
      const std::size_t close = sql.find(tag, i + tag.size());
      if (close == std::string_view::npos) unterminated("a dollar-quoted string", i);
      push(SqlToken::Kind::dollar, i, close + tag.size());
      i = close + tag.size();
    } else {
      ++i;
    }
  }
  if (bare_start < sql.size()) tokens.push_back({SqlToken::Kind::bare, sql.substr(bare_start)});
  return tokens;
}

std::string token_value(const SqlToken& token) {
  const std::string_view t = token.text;
  switch (token.kind) {
    case SqlToken::Kind::literal:
      if (t.front() == 'E' || t.front() == 'e')
        return decode_escape_string(t.substr(2, t.size() - 3));
      if (t.front() == 'U' || t.front() == 'u')
        return decode_unicode_escapes(t.substr(3, t.size() - 4), '\'');
      return undouble(t.substr(1, t.size() - 2), '\'');
    case SqlToken::Kind::identifier:
      if (t.front() == 'U' || t.front() == 'u')
        return decode_unicode_escapes(t.substr(3, t.size() - 4), '"');
      return undouble(t.substr(1, t.size() - 2), '"');
    case SqlToken::Kind::dollar: {
      const std::size_t tag = t.find('$', 1) + 1;
      return std::string(t.substr(tag, t.size() - 2 * tag));
    }
    case SqlToken::Kind::bare:
    case SqlToken::Kind::comment:
      break;
  }
  return std::string(t);
}

std::string requote_controls(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  for (const auto& token : lex_sql(sql)) {
    if (!has_control(token.text)) {
      out += token.text;
      continue;
    }
    switch (token.kind) {
      case SqlToken::Kind::literal:
        out += quote_literal(token_value(token));
        break;
      case SqlToken::Kind::identifier:
        out += quote_ident(token_value(token));
        break;
      case SqlToken::Kind::comment:
        out += token.text.starts_with("--") ? sql_comment(token.text)
                                            : "/* " + sql_comment(token.text) + " */";
        break;
      case SqlToken::Kind::dollar:
        // A function body: its own text is SQL or PL/pgSQL, quoted the same way.
        out += quote_literal(token_value(token));
        break;
      case SqlToken::Kind::bare:
        out += token.text;  // layout whitespace: the deparser's newlines and tabs
        break;
    }
  }
  return out;
}

}  // namespace enumwatch
