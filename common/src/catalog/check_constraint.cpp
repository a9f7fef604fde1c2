#include "enumwatch/catalog/check_constraint.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>

#include "enumwatch/core/error.hpp"
#include "enumwatch/sql/sql_lexer.hpp"

namespace enumwatch {
namespace {

struct Token {
  enum class Kind { word, identifier, literal, number, punct, other, end };
  Kind kind;
  std::string text;  // word: lower-cased; identifier, literal: the value; punct: the symbol
  // Where it is in the definition, so that a conjunct kept as it is can be copied out verbatim.
  std::size_t begin = 0;
  std::size_t end = 0;
};

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// PostgreSQL's operator characters: a run of them is one operator ("<=" is never "=").
bool is_operator_char(char c) {
  return std::string_view("+-*/<>=~!@#%^&|`?").find(c) != std::string_view::npos;
}

// Splits what the SQL lexer calls bare text (found at `offset` in the definition) into words,
// numbers and punctuation. What a membership test never holds (another operator, a parameter,
// ...) becomes an `other` token: the membership grammar fails on it, and a conjunct kept as it
// is may hold anything.
void split_bare(std::string_view bare, std::size_t offset, std::vector<Token>& out) {
  for (std::size_t i = 0; i < bare.size();) {
    const char c = bare[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (bare.substr(i, 2) == "::") {
      out.push_back({Token::Kind::punct, "::", offset + i, offset + i + 2});
      i += 2;
    } else if (is_operator_char(c)) {
      std::size_t end = i;
      while (end < bare.size() && is_operator_char(bare[end])) ++end;
      std::string op(bare.substr(i, end - i));
      const auto kind = op == "=" ? Token::Kind::punct : Token::Kind::other;
      out.push_back({kind, std::move(op), offset + i, offset + end});
      i = end;
    } else if (std::string_view("()[],.").find(c) != std::string_view::npos) {
      out.push_back({Token::Kind::punct, std::string(1, c), offset + i, offset + i + 1});
      ++i;
    } else if (is_word_char(c)) {
      std::size_t end = i;
      while (end < bare.size() && is_word_char(bare[end])) ++end;
      std::string word(bare.substr(i, end - i));
      const bool number = std::all_of(word.begin(), word.end(), [](char d) {
        return std::isdigit(static_cast<unsigned char>(d));
      });
      for (auto& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.push_back({number ? Token::Kind::number : Token::Kind::word, std::move(word), offset + i,
                     offset + end});
      i = end;
    } else {
      out.push_back({Token::Kind::other, std::string(1, c), offset + i, offset + i + 1});
      ++i;
    }
  }
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
    const auto begin = static_cast<std::size_t>(token.text.data() - sql.data());
    const auto end = begin + token.text.size();
    switch (token.kind) {
      case SqlToken::Kind::bare:
        split_bare(token.text, begin, out);
        break;
      case SqlToken::Kind::literal:
        out.push_back({Token::Kind::literal, token_value(token), begin, end});
        break;
      case SqlToken::Kind::identifier:
        out.push_back({Token::Kind::identifier, token_value(token), begin, end});
        break;
      case SqlToken::Kind::comment:
        break;
      case SqlToken::Kind::dollar:
        out.push_back({Token::Kind::other, std::string(token.text), begin, end});
        break;
    }
  }
  out.push_back({Token::Kind::end, "", sql.size(), sql.size()});
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

// PostgreSQL's array_isspace: what array_in skips around elements and array_out quotes.
bool array_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// PostgreSQL's MAXDIM: no array has more dimensions.
constexpr std::size_t kMaxDimensions = 6;

// array_in's grammar, for a default's array text: [lower bounds =] {…} nested to any depth up to
// kMaxDimensions, rectangular, each element quoted ("a \"b\"", escapes resolved), unquoted
// (trimmed, backslash escapes resolved) or NULL (unquoted, any case). Anything array_in would
// refuse: nothing.
class ArrayTextParser {
 public:
  explicit ArrayTextParser(std::string_view text) : text_(text) {}

  std::optional<ArrayDefault> parse() {
    ArrayDefault out;
    std::vector<std::pair<long long, long long>> bounds;
    skip_space();
    if (at('[')) {
      while (at('[')) {
        ++i_;
        long long lower = 1;
        auto upper = integer();
        if (!upper) return std::nullopt;
        if (at(':')) {
          ++i_;
          lower = *upper;
          upper = integer();
          if (!upper) return std::nullopt;
        }
        if (!at(']') || *upper < lower) return std::nullopt;
        ++i_;
        bounds.emplace_back(lower, *upper);
        skip_space();
      }
      if (!at('=')) return std::nullopt;
      ++i_;
      skip_space();
    }
    if (!at('{')) return std::nullopt;
    if (!level(0, out)) return std::nullopt;
    skip_space();
    if (i_ != text_.size()) return std::nullopt;
    out.dimensions = dims_;
    if (bounds.empty()) return out;
    // The decoration must fit the braces; it is kept (as array_out writes it) only when a lower
    // bound is not 1, as array_out does.
    if (bounds.size() != dims_.size()) return std::nullopt;
    bool all_one = true;
    for (std::size_t d = 0; d < bounds.size(); ++d) {
      const auto [lower, upper] = bounds[d];
      if (static_cast<unsigned long long>(upper - lower) + 1 != dims_[d]) return std::nullopt;
      all_one = all_one && lower == 1;
    }
    if (all_one) return out;
    for (const auto& [lower, upper] : bounds)
      out.bounds += "[" + std::to_string(lower) + ":" + std::to_string(upper) + "]";
    out.bounds += "=";
    return out;
  }

 private:
  bool at(char c) const { return i_ < text_.size() && text_[i_] == c; }
  void skip_space() {
    while (i_ < text_.size() && array_space(text_[i_])) ++i_;
  }
  std::optional<long long> integer() {
    skip_space();
    std::size_t start = i_;
    if (at('-') || at('+')) ++i_;
    const std::size_t digits = i_;
    while (i_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i_])) &&
           i_ - digits < 9)
      ++i_;
    if (i_ == digits || (i_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i_]))))
      return std::nullopt;
    const long long value = std::stoll(std::string(text_.substr(start, i_ - start)));
    skip_space();
    return value;
  }

  // One {…} at `depth`, its '{' at i_. An empty one is the whole array or nothing.
  bool level(std::size_t depth, ArrayDefault& out) {
    if (depth >= kMaxDimensions) return false;
    ++i_;
    skip_space();
    if (at('}')) {
      ++i_;
      return depth == 0;
    }
    if (dims_.size() == depth) dims_.push_back(0);
    const bool nested = at('{');
    if (leaf_) {
      if (nested != (depth < *leaf_)) return false;
    } else if (!nested) {
      leaf_ = depth;
    }
    std::size_t count = 0;
    for (;;) {
      skip_space();
      if (nested) {
        if (!at('{') || !level(depth + 1, out)) return false;
      } else {
        auto element = this->element();
        if (!element) return false;
        out.elements.push_back(std::move(*element));
      }
      ++count;
      skip_space();
      if (at(',')) {
        ++i_;
        continue;
      }
      if (!at('}')) return false;
      ++i_;
      break;
    }
    if (dims_[depth] == 0) dims_[depth] = count;
    return dims_[depth] == count;
  }

  // One element: nothing when malformed; an empty optional inside for NULL.
  std::optional<std::optional<std::string>> element() {
    std::string value;
    if (at('"')) {
      for (++i_; i_ < text_.size() && text_[i_] != '"'; ++i_) {
        if (text_[i_] == '\\' && ++i_ == text_.size()) return std::nullopt;
        value += text_[i_];
      }
      if (i_ == text_.size()) return std::nullopt;
      ++i_;
      return std::optional<std::string>(std::move(value));
    }
    bool escaped = false;
    std::size_t kept = 0;  // value's length without trailing unescaped white space
    while (i_ < text_.size() && !at(',') && !at('}')) {
      char c = text_[i_];
      if (c == '{' || c == '"') return std::nullopt;
      if (c == '\\') {
        if (++i_ == text_.size()) return std::nullopt;
        value += text_[i_++];
        escaped = true;
        kept = value.size();
        continue;
      }
      value += c;
      ++i_;
      if (!array_space(c)) kept = value.size();
    }
    value.resize(kept);
    if (value.empty()) return std::nullopt;
    if (!escaped && value.size() == 4) {
      std::string lower = value;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (lower == "null") return std::optional<std::string>();
    }
    return std::optional<std::string>(std::move(value));
  }

  std::string_view text_;
  std::size_t i_ = 0;
  std::vector<std::size_t> dims_;
  std::optional<std::size_t> leaf_;  // the depth whose braces hold elements
};

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

bool is_punct(const Token& t, std::string_view p) {
  return t.kind == Token::Kind::punct && t.text == p;
}

bool is_word(const Token& t, std::string_view w) {
  return t.kind == Token::Kind::word && t.text == w;
}

// The ')' that closes the '(' at `open`, before `last`; kNone when it is not closed there.
std::size_t matching(const std::vector<Token>& tokens, std::size_t open, std::size_t last) {
  int depth = 0;
  for (std::size_t i = open; i < last; ++i) {
    if (is_punct(tokens[i], "(")) ++depth;
    if (is_punct(tokens[i], ")") && --depth == 0) return i;
  }
  return kNone;
}

// Tokens [first, last) of a definition.
struct Span {
  std::size_t first;
  std::size_t last;
};

// Without the parentheses that enclose all of it ("((a) AND (b))" -> "(a) AND (b)").
Span strip_parens(const std::vector<Token>& tokens, Span s) {
  while (s.last - s.first >= 2 && is_punct(tokens[s.first], "(") &&
         matching(tokens, s.first, s.last) == s.last - 1) {
    ++s.first;
    --s.last;
  }
  return s;
}

// Splits at each `separator` (and, or) outside parentheses, brackets and CASE ... END; the AND
// of a BETWEEN is not a separator. Nothing when a part is empty.
std::optional<std::vector<Span>> split_top(const std::vector<Token>& tokens, Span s,
                                           std::string_view separator) {
  std::vector<Span> parts;
  int depth = 0;
  int betweens = 0;
  std::size_t start = s.first;
  for (std::size_t i = s.first; i < s.last; ++i) {
    const Token& t = tokens[i];
    if (is_punct(t, "(") || is_punct(t, "[") || is_word(t, "case")) ++depth;
    if (is_punct(t, ")") || is_punct(t, "]") || is_word(t, "end")) --depth;
    if (depth != 0) continue;
    if (is_word(t, "between")) ++betweens;
    if (!is_word(t, separator)) continue;
    if (separator == "and" && betweens > 0) {
      --betweens;
      continue;
    }
    if (i == start) return std::nullopt;
    parts.push_back({start, i});
    start = i + 1;
  }
  if (start == s.last) return std::nullopt;
  parts.push_back({start, s.last});
  return parts;
}

// What part of a constraint means. Only these shapes take part in a membership test.
struct Meaning {
  enum class Kind { column, literal, literal_array, membership };
  Kind kind;
  std::string column;               // column, membership
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

// What part of a default means, for parse_array_default.
struct DefaultPart {
  enum class Kind { text, null, array };
  Kind kind;
  std::string text;    // text: the literal's value
  ArrayDefault array;  // array
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  // The whole definition: CHECK (body) [NOT VALID]. Returns the body's tokens.
  std::optional<std::pair<std::size_t, std::size_t>> constraint_body() {
    if (!take_word("check") || !is_punct(peek(), "(")) return std::nullopt;
    const std::size_t open = pos_;
    const std::size_t close = matching(tokens_, open, tokens_.size() - 1);
    if (close == kNone || close == open + 1) return std::nullopt;
    pos_ = close + 1;
    if (take_word("not") && !take_word("valid")) return std::nullopt;
    if (peek().kind != Token::Kind::end) return std::nullopt;
    return std::pair{open + 1, close};
  }

  // A membership test over one column, and nothing after it.
  std::optional<Meaning> whole_membership() {
    auto meaning = expression();
    if (!meaning || meaning->kind != Meaning::Kind::membership) return std::nullopt;
    if (peek().kind != Token::Kind::end) return std::nullopt;
    return meaning;
  }

  std::optional<std::string> literal_default() {
    auto meaning = operand(/*any_cast=*/true);
    if (!meaning || meaning->kind != Meaning::Kind::literal) return std::nullopt;
    if (peek().kind != Token::Kind::end) return std::nullopt;
    return meaning->values.front();
  }

  std::optional<ArrayDefault> array_default() {
    auto part = default_operand();
    if (!part || part->kind != DefaultPart::Kind::array) return std::nullopt;
    if (peek().kind != Token::Kind::end) return std::nullopt;
    return std::move(part->array);
  }

 private:
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

  // conjunction := test. An AND inside a membership test (under an OR, say) is not one of its
  // shapes: only the constraint's top-level conjuncts are split (parse_membership_check), so
  // that each one the swap does not rewrite is kept whole.
  std::optional<Meaning> conjunction() { return test(); }

  // test := predicate | '(' expression ')'. A parenthesis may open either an operand ("(col)::
  // text = ...") or a sub-expression, so the predicate is tried first and the position restored.
  std::optional<Meaning> test() {
    const Nesting nesting(depth_);
    if (!nesting.ok) return std::nullopt;
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
    const Nesting nesting(depth_);
    if (!nesting.ok) return std::nullopt;
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

  // default_operand := default_primary ('::' type)*. A literal cast to an array type is read as
  // the array's text form; an array cast to a type without [] is cast to a domain over its type
  // (PostgreSQL prints a domain-typed column's default so): the same array.
  std::optional<DefaultPart> default_operand() {
    const Nesting nesting(depth_);
    if (!nesting.ok) return std::nullopt;
    auto part = default_primary();
    while (part && take_punct("::")) {
      const auto array = cast_type(/*any_cast=*/true);
      if (!array) return std::nullopt;
      if (!*array) continue;
      if (part->kind == DefaultPart::Kind::null) return std::nullopt;  // a NULL array
      if (part->kind == DefaultPart::Kind::text) {
        auto parsed = ArrayTextParser(part->text).parse();
        if (!parsed) return std::nullopt;
        part = DefaultPart{DefaultPart::Kind::array, "", std::move(*parsed)};
      }
    }
    return part;
  }

  // default_primary := literal | NULL | ARRAY '[' [default_operand, ...] ']'
  //                  | '(' default_operand ')'
  std::optional<DefaultPart> default_primary() {
    const Token& t = peek();
    if (t.kind == Token::Kind::literal) {
      ++pos_;
      return DefaultPart{DefaultPart::Kind::text, t.text, {}};
    }
    if (take_word("null")) return DefaultPart{DefaultPart::Kind::null, "", {}};
    if (take_punct("(")) {
      auto inner = default_operand();
      if (!inner || !take_punct(")")) return std::nullopt;
      return inner;
    }
    if (!take_word("array") || !take_punct("[")) return std::nullopt;
    DefaultPart out{DefaultPart::Kind::array, "", {}};
    if (take_punct("]")) return out;  // ARRAY[]: empty
    std::vector<DefaultPart> items;
    do {
      auto item = default_operand();
      if (!item) return std::nullopt;
      items.push_back(std::move(*item));
    } while (take_punct(","));
    if (!take_punct("]")) return std::nullopt;
    // Elements, or sub-arrays of one shape (ARRAY[ARRAY[...], ARRAY[...]]): never both.
    const bool nested = items.front().kind == DefaultPart::Kind::array;
    const auto& inner = items.front().array;
    if (nested && (inner.dimensions.empty() || !inner.bounds.empty() ||
                   inner.dimensions.size() >= kMaxDimensions))
      return std::nullopt;
    out.array.dimensions.push_back(items.size());
    if (nested)
      out.array.dimensions.insert(out.array.dimensions.end(), inner.dimensions.begin(),
                                  inner.dimensions.end());
    for (auto& item : items) {
      if ((item.kind == DefaultPart::Kind::array) != nested) return std::nullopt;
      if (nested) {
        if (item.array.dimensions != inner.dimensions || !item.array.bounds.empty())
          return std::nullopt;
        for (auto& e : item.array.elements) out.array.elements.push_back(std::move(e));
      } else if (item.kind == DefaultPart::Kind::text) {
        out.array.elements.emplace_back(std::move(item.text));
      } else {
        out.array.elements.emplace_back(std::nullopt);
      }
    }
    return out;
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

  // How deep parentheses, casts and ARRAY[...] may nest: a deeper expression is not read, so
  // that no catalog text (a chain of 100 000 casts prints as as many parentheses) exhausts the
  // stack. PostgreSQL's own deparsed membership tests and defaults nest a few levels.
  static constexpr int kMaxNesting = 64;
  struct Nesting {
    int& depth;
    bool ok;
    explicit Nesting(int& d) : depth(d), ok(++d <= kMaxNesting) {}
    ~Nesting() { --depth; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
  };

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

namespace {

// A span's tokens as an expression of their own, for the membership grammar.
std::optional<Meaning> membership_of(const std::vector<Token>& tokens, Span s) {
  std::vector<Token> part(tokens.begin() + static_cast<std::ptrdiff_t>(s.first),
                          tokens.begin() + static_cast<std::ptrdiff_t>(s.last));
  part.push_back({Token::Kind::end, "", 0, 0});
  return Parser(std::move(part)).whole_membership();
}

// The top-level conjuncts of an expression, each without its enclosing parentheses: PostgreSQL
// prints `a AND b AND c` as "((a) AND (b) AND (c))", and a nested "(a AND (b AND c))" is the
// same three. An OR at the top is one conjunct (AND binds tighter than OR).
std::optional<std::vector<Span>> conjuncts(const std::vector<Token>& tokens, Span s) {
  s = strip_parens(tokens, s);
  const auto ors = split_top(tokens, s, "or");
  if (!ors) return std::nullopt;
  if (ors->size() > 1) return std::vector<Span>{s};
  const auto ands = split_top(tokens, s, "and");
  if (!ands) return std::nullopt;
  if (ands->size() == 1) return std::vector<Span>{s};
  std::vector<Span> out;
  for (const auto& part : *ands) {
    auto inner = conjuncts(tokens, part);
    if (!inner) return std::nullopt;
    out.insert(out.end(), inner->begin(), inner->end());
  }
  return out;
}

// The values the disjuncts of an OR list for one column, merged into `listed`: each disjunct a
// membership test, an AND holding some (their intersection), or something else (nothing listed).
// False when two of them name different columns: not one column's enum.
bool collect_disjuncts(const std::vector<Token>& tokens, Span part,
                       std::optional<Meaning>& listed) {
  auto merge = [&](Meaning m) {
    if (listed && listed->column != m.column) return false;
    if (listed) {
      listed->values.insert(listed->values.end(), m.values.begin(), m.values.end());
    } else {
      listed = std::move(m);
    }
    return true;
  };
  const Span s = strip_parens(tokens, part);
  const auto ors = split_top(tokens, s, "or");
  if (!ors) return true;
  if (ors->size() > 1) {
    for (const auto& disjunct : *ors)
      if (!collect_disjuncts(tokens, disjunct, listed)) return false;
    return true;
  }
  if (auto m = membership_of(tokens, s)) return merge(std::move(*m));
  const auto ands = conjuncts(tokens, s);
  if (!ands || ands->size() < 2) return true;
  std::optional<Meaning> narrowed;
  for (const auto& conjunct : *ands) {
    auto m = membership_of(tokens, conjunct);
    if (!m) continue;
    if (narrowed && narrowed->column != m->column) return false;
    if (narrowed) {
      std::set<std::string> mine(m->values.begin(), m->values.end());
      std::vector<std::string> both;
      for (const auto& v : narrowed->values)
        if (mine.count(v)) both.push_back(v);
      narrowed->values = std::move(both);
    } else {
      narrowed = std::move(m);
    }
  }
  return narrowed ? merge(std::move(*narrowed)) : true;
}

}  // namespace

std::optional<MembershipCheck> parse_membership_check(std::string_view definition) {
  const auto tokens = tokenize(definition);
  if (!tokens) return std::nullopt;
  const auto body = Parser(*tokens).constraint_body();
  if (!body) return std::nullopt;
  const auto parts = conjuncts(*tokens, {body->first, body->second});
  if (!parts) return std::nullopt;

  auto text_of = [&](Span s) {
    const std::size_t begin = (*tokens)[s.first].begin;
    return std::string(definition.substr(begin, (*tokens)[s.last - 1].end - begin));
  };
  std::optional<std::string> column;
  std::optional<std::set<std::string>> values;
  // Each membership conjunct narrows the set: a value must pass all of them.
  auto allow = [&](const Meaning& m) {
    if (column && *column != m.column) return false;
    column = m.column;
    std::set<std::string> these(m.values.begin(), m.values.end());
    if (values) {
      std::set<std::string> both;
      std::set_intersection(values->begin(), values->end(), these.begin(), these.end(),
                            std::inserter(both, both.end()));
      these = std::move(both);
    }
    values = std::move(these);
    return true;
  };
  MembershipCheck out;
  for (const auto& part : *parts) {
    if (const auto m = membership_of(*tokens, part)) {
      if (!allow(*m)) return std::nullopt;
      continue;
    }
    // A membership test OR-ed with something else ("c IN (...) OR length(c) > 3"): its values
    // are read, but no rewritten list would allow what it allows (docs/check-enums.md).
    std::optional<Meaning> listed;
    if (const auto ors = split_top(*tokens, strip_parens(*tokens, part), "or");
        ors && ors->size() > 1 && !collect_disjuncts(*tokens, part, listed))
      return std::nullopt;
    if (listed) {
      if (!allow(*listed)) return std::nullopt;
      if (!out.unrewritable) out.unrewritable = text_of(part);
      continue;
    }
    out.kept.push_back(text_of(part));
  }
  // '{}' allows no value but NULL: not an enum (found by fuzzing); so does an empty intersection.
  if (!values || values->empty()) return std::nullopt;
  out.column = *column;
  out.values.assign(values->begin(), values->end());
  return out;
}

std::optional<std::string> parse_literal_default(std::string_view expression) {
  auto tokens = tokenize(expression);
  if (!tokens) return std::nullopt;
  return Parser(std::move(*tokens)).literal_default();
}

std::optional<ArrayDefault> parse_array_default(std::string_view expression) {
  auto tokens = tokenize(expression);
  if (!tokens) return std::nullopt;
  return Parser(std::move(*tokens)).array_default();
}

namespace {

// One element as array_out writes it.
void append_element(std::string& out, const std::optional<std::string>& element) {
  if (!element) {
    out += "NULL";
    return;
  }
  const std::string& v = *element;
  bool quote = v.empty();
  if (v.size() == 4) {
    std::string lower = v;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    quote = quote || lower == "null";
  }
  for (char c : v)
    quote = quote || c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || array_space(c);
  if (!quote) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_level(std::string& out, const ArrayDefault& array, std::size_t depth,
                  std::size_t& next) {
  out += '{';
  for (std::size_t i = 0; i < array.dimensions[depth]; ++i) {
    if (i > 0) out += ',';
    if (depth + 1 < array.dimensions.size()) {
      append_level(out, array, depth + 1, next);
    } else if (next < array.elements.size()) {
      append_element(out, array.elements[next++]);
    }
  }
  out += '}';
}

}  // namespace

std::string array_text(const ArrayDefault& array) {
  if (array.dimensions.empty() || array.elements.empty()) return "{}";
  std::string out = array.bounds;
  std::size_t next = 0;
  append_level(out, array, 0, next);
  return out;
}

}  // namespace enumwatch
