#include "enumwatch/check_constraint.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "enumwatch/error.hpp"
#include "enumwatch/sql_lexer.hpp"

namespace enumwatch {
namespace {

struct Token {
  enum class Kind { word, identifier, literal, number, punct, end };
  Kind kind;
  std::string text;  // word: lower-cased; identifier, literal: the value; punct: the symbol
};

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Splits what the SQL lexer calls bare text into words, numbers and punctuation. Returns false
// on any character a membership test never holds (an operator other than =, a parameter, ...).
bool split_bare(std::string_view bare, std::vector<Token>& out) {
  for (std::size_t i = 0; i < bare.size();) {
    const char c = bare[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (bare.substr(i, 2) == "::") {
      out.push_back({Token::Kind::punct, "::"});
      i += 2;
    } else if (std::string_view("()[],=.").find(c) != std::string_view::npos) {
      out.push_back({Token::Kind::punct, std::string(1, c)});
      ++i;
    } else if (is_word_char(c)) {
      std::size_t end = i;
      while (end < bare.size() && is_word_char(bare[end])) ++end;
      std::string word(bare.substr(i, end - i));
      const bool number = std::all_of(word.begin(), word.end(), [](char d) {
        return std::isdigit(static_cast<unsigned char>(d));
      });
      for (auto& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.push_back({number ? Token::Kind::number : Token::Kind::word, std::move(word)});
      i = end;
    } else {
      return false;
    }
  }
  return true;
}

std::optional<std::vector<Token>> tokenize(std::string_view sql) {
  std::vector<SqlToken> lexed;
  try {
    lexed = lex_sql(sql);
  } catch (const Error&) {
    return std::nullopt;
  }
  std::vector<Token> out;
  for (const auto& token : lexed) {
    switch (token.kind) {
      case SqlToken::Kind::bare:
        if (!split_bare(token.text, out)) return std::nullopt;
        break;
      case SqlToken::Kind::literal:
        out.push_back({Token::Kind::literal, token_value(token)});
        break;
      case SqlToken::Kind::identifier:
        out.push_back({Token::Kind::identifier, token_value(token)});
        break;
      case SqlToken::Kind::comment:
        break;
      case SqlToken::Kind::dollar:
        return std::nullopt;
    }
  }
  out.push_back({Token::Kind::end, ""});
  return out;
}

// PostgreSQL's text form of a one-dimensional array ({a,"b c",d}); nothing for a NULL element,
// a nested array or anything malformed.
std::optional<std::vector<std::string>> parse_array_literal(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return std::nullopt;
  std::vector<std::string> out;
  std::size_t i = 1;
  const std::size_t end = text.size() - 1;
  if (i == end) return out;
  for (;;) {
    while (i < end && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::string element;
    if (i < end && text[i] == '"') {
      for (++i; i < end && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < end) ++i;
        element += text[i];
      }
      if (i >= end) return std::nullopt;
      ++i;
    } else {
      std::size_t start = i;
      while (i < end && text[i] != ',') {
        if (text[i] == '{' || text[i] == '}' || text[i] == '"' || text[i] == '\\')
          return std::nullopt;
        ++i;
      }
      std::size_t stop = i;
      while (stop > start && std::isspace(static_cast<unsigned char>(text[stop - 1]))) --stop;
      element = std::string(text.substr(start, stop - start));
      if (element.empty()) return std::nullopt;
      std::string lower = element;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "null") return std::nullopt;
    }
    out.push_back(std::move(element));
    while (i < end && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i == end) return out;
    if (text[i] != ',') return std::nullopt;
    ++i;
  }
}

// What part of a constraint means. Only these shapes take part in a membership test.
struct Meaning {
  enum class Kind { column, literal, literal_array, membership, not_null };
  Kind kind;
  std::string column;               // column, membership, not_null
  std::vector<std::string> values;  // literal (one), literal_array, membership
};

// Words that are never a bare column name in a deparsed constraint.
bool is_reserved(const std::string& word) {
  static const std::set<std::string> reserved{"and",  "or",    "not",     "is",     "null", "any",
                                              "all",  "in",    "array",   "check",  "some", "valid",
                                              "true", "false", "case",    "when",   "then", "else",
                                              "end",  "like",  "between", "similar"};
  return reserved.contains(word);
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::optional<MembershipCheck> constraint() {
    if (!take_word("check")) return std::nullopt;
    auto meaning = expression();
    if (!meaning || meaning->kind != Meaning::Kind::membership) return std::nullopt;
    if (take_word("not") && !take_word("valid")) return std::nullopt;
    // '{}' allows no value but NULL: not an enum (found by fuzzing).
    if (peek().kind != Token::Kind::end || meaning->values.empty()) return std::nullopt;
    return finish(*meaning);
  }

  std::optional<std::string> literal_default() {
    auto meaning = operand(/*any_cast=*/true);
    if (!meaning || meaning->kind != Meaning::Kind::literal) return std::nullopt;
    if (peek().kind != Token::Kind::end) return std::nullopt;
    return meaning->values.front();
  }

 private:
  static MembershipCheck finish(const Meaning& m) {
    std::set<std::string> unique(m.values.begin(), m.values.end());
    return {m.column, {unique.begin(), unique.end()}};
  }

  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool take_punct(std::string_view p) {
    if (peek().kind == Token::Kind::punct && peek().text == p) return ++pos_, true;
    return false;
  }
  bool take_word(std::string_view w) {
    if (peek().kind == Token::Kind::word && peek().text == w) return ++pos_, true;
    return false;
  }

  // expression := conjunction (OR conjunction)*
  std::optional<Meaning> expression() {
    auto left = conjunction();
    while (left && take_word("or")) {
      auto right = conjunction();
      if (!right || left->kind != Meaning::Kind::membership ||
          right->kind != Meaning::Kind::membership || left->column != right->column)
        return std::nullopt;
      left->values.insert(left->values.end(), right->values.begin(), right->values.end());
    }
    return left;
  }

  // conjunction := test (AND test)*; only "membership AND column IS NOT NULL" means something.
  std::optional<Meaning> conjunction() {
    auto left = test();
    while (left && take_word("and")) {
      auto right = test();
      if (!right || left->column != right->column) return std::nullopt;
      if (left->kind == Meaning::Kind::not_null) std::swap(left, right);
      if (left->kind == Meaning::Kind::not_null || right->kind != Meaning::Kind::not_null)
        return std::nullopt;
      // A membership test already rejects NULL: "IS NOT NULL" adds nothing to the values.
    }
    return left;
  }

  // test := predicate | '(' expression ')'. A parenthesis may open either an operand ("(col)::
  // text = ...") or a sub-expression, so the predicate is tried first and the position restored.
  std::optional<Meaning> test() {
    const std::size_t start = pos_;
    if (auto p = predicate()) return p;
    pos_ = start;
    if (!take_punct("(")) return std::nullopt;
    auto inner = expression();
    if (!inner || !take_punct(")")) return std::nullopt;
    return inner;
  }

  std::optional<Meaning> predicate() {
    auto left = operand(false);
    if (!left) return std::nullopt;
    if (take_word("is")) {
      if (!take_word("not") || !take_word("null") || left->kind != Meaning::Kind::column)
        return std::nullopt;
      return Meaning{Meaning::Kind::not_null, left->column, {}};
    }
    if (take_word("in")) {
      if (left->kind != Meaning::Kind::column || !take_punct("(")) return std::nullopt;
      std::vector<std::string> values;
      do {
        auto item = operand(false);
        if (!item || item->kind != Meaning::Kind::literal) return std::nullopt;
        values.push_back(item->values.front());
      } while (take_punct(","));
      if (!take_punct(")")) return std::nullopt;
      return Meaning{Meaning::Kind::membership, left->column, std::move(values)};
    }
    if (!take_punct("=")) return std::nullopt;
    if (take_word("any")) {
      if (left->kind != Meaning::Kind::column || !take_punct("(")) return std::nullopt;
      auto array = operand(false);
      if (!array || array->kind != Meaning::Kind::literal_array || !take_punct(")"))
        return std::nullopt;
      return Meaning{Meaning::Kind::membership, left->column, std::move(array->values)};
    }
    auto right = operand(false);
    if (!right) return std::nullopt;
    if (left->kind == Meaning::Kind::literal) std::swap(left, right);
    if (left->kind != Meaning::Kind::column || right->kind != Meaning::Kind::literal)
      return std::nullopt;
    return Meaning{Meaning::Kind::membership, left->column, std::move(right->values)};
  }

  // operand := primary ('::' type)*
  std::optional<Meaning> operand(bool any_cast) {
    auto value = primary(any_cast);
    while (value && take_punct("::")) {
      auto array = cast_type(any_cast);
      if (!array) return std::nullopt;
      // '{a,b}'::text[]: a literal read as an array.
      if (*array && value->kind == Meaning::Kind::literal) {
        auto elements = parse_array_literal(value->values.front());
        if (!elements) return std::nullopt;
        value = Meaning{Meaning::Kind::literal_array, "", std::move(*elements)};
      }
      // A cast to an array type only fits an array, and a scalar cast only a scalar.
      if (*array != (value->kind == Meaning::Kind::literal_array)) return std::nullopt;
    }
    return value;
  }

  // primary := '(' operand ')' | column | literal | ARRAY '[' literal, ... ']'
  std::optional<Meaning> primary(bool any_cast) {
    const Token& t = peek();
    if (t.kind == Token::Kind::literal) {
      ++pos_;
      return Meaning{Meaning::Kind::literal, "", {t.text}};
    }
    if (t.kind == Token::Kind::identifier ||
        (t.kind == Token::Kind::word && !is_reserved(t.text))) {
      // A bare word is folded to lower case by PostgreSQL too; the deparser quotes any other name.
      ++pos_;
      if (peek().kind == Token::Kind::punct && (peek().text == "." || peek().text == "("))
        return std::nullopt;  // a qualified name or a function call
      return Meaning{Meaning::Kind::column, t.text, {}};
    }
    if (take_word("array")) {
      if (!take_punct("[")) return std::nullopt;
      Meaning array{Meaning::Kind::literal_array, "", {}};
      do {
        auto item = operand(any_cast);
        if (!item || item->kind != Meaning::Kind::literal) return std::nullopt;
        array.values.push_back(item->values.front());
      } while (take_punct(","));
      if (!take_punct("]")) return std::nullopt;
      return array;
    }
    if (take_punct("(")) {
      auto inner = operand(any_cast);
      if (!inner || !take_punct(")")) return std::nullopt;
      return inner;
    }
    return std::nullopt;
  }

  // A text-like type (text, varchar/character varying, bpchar/character/char, with a length),
  // or with any_cast any type name, maybe schema-qualified. Returns whether it is an array type.
  std::optional<bool> cast_type(bool any_cast) {
    std::vector<std::string> words;
    for (;;) {
      const Token& t = peek();
      if (t.kind == Token::Kind::word && !is_reserved(t.text)) {
        words.push_back(t.text);
        ++pos_;
      } else if (any_cast && t.kind == Token::Kind::identifier) {
        words.push_back("\"" + t.text);
        ++pos_;
      } else {
        break;
      }
      if (any_cast && take_punct(".")) continue;
      if (t.kind == Token::Kind::identifier) break;
    }
    if (words.empty()) return std::nullopt;
    if (take_punct("(")) {
      if (peek().kind != Token::Kind::number) return std::nullopt;
      ++pos_;
      if (!take_punct(")")) return std::nullopt;
    }
    bool array = false;
    if (take_punct("[")) {
      if (!take_punct("]")) return std::nullopt;
      array = true;
    }
    if (any_cast) return array;
    std::string name;
    for (const auto& w : words) name += (name.empty() ? "" : " ") + w;
    static const std::set<std::string> text_like{"text",   "character varying", "varchar",
                                                 "bpchar", "character",         "char"};
    if (!text_like.contains(name)) return std::nullopt;
    return array;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<MembershipCheck> parse_membership_check(std::string_view definition) {
  auto tokens = tokenize(definition);
  if (!tokens) return std::nullopt;
  return Parser(std::move(*tokens)).constraint();
}

std::optional<std::string> parse_literal_default(std::string_view expression) {
  auto tokens = tokenize(expression);
  if (!tokens) return std::nullopt;
  return Parser(std::move(*tokens)).literal_default();
}

}  // namespace enumwatch
