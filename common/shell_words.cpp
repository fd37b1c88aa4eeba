#include "common/shell_words.h"

#include <optional>

#include "common/python_str.h"

namespace common {
namespace {

bool isShlexWhitespace(char32_t c) { return c == U' ' || c == U'\t' || c == U'\r' || c == U'\n'; }
bool isQuote(char32_t c) { return c == U'\'' || c == U'"'; }

// shlex.shlex().wordchars (non-POSIX: ASCII only) plus the '/.+-():' Supervisor adds.
bool isKeyValueWordChar(char32_t c) {
  if ((c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') || c == U'_') return true;
  return std::u32string_view(U"/.+-():").find(c) != std::u32string_view::npos;
}

// shlex.shlex(text) in non-POSIX mode with Supervisor's wordchars: read_token()
// and its state machine, one code point at a time as Python reads its StringIO.
class NonPosixLexer {
 public:
  explicit NonPosixLexer(std::string_view text) : text_(decodeUtf8(text)) {}

  // All tokens, or shlex's error.
  Result<std::vector<std::string>> tokens() {
    std::vector<std::string> out;
    for (;;) {
      auto token = next();
      if (!token) return makeError("No closing quotation");
      if (token->empty()) return out;  // '' is shlex's end of input in non-POSIX mode
      out.push_back(encodeUtf8(*token));
    }
  }

 private:
  enum class State { Whitespace, Word, Quote };

  // One token; "" at the end; nullopt for an unclosed quote.
  std::optional<std::u32string> next() {
    if (pushedBack_) {
      std::u32string token(1, *pushedBack_);
      pushedBack_.reset();
      return token;
    }
    std::u32string token;
    State state = State::Whitespace;
    char32_t quote = 0;
    for (;;) {
      if (position_ >= text_.size()) {
        if (state == State::Quote) return std::nullopt;
        return token;  // end of input ends a word, or yields "" from whitespace
      }
      const char32_t c = text_[position_++];
      switch (state) {
        case State::Whitespace:
          if (isShlexWhitespace(c)) continue;
          if (c == U'#') {
            skipRestOfLine();
          } else if (isKeyValueWordChar(c)) {
            token = c;
            state = State::Word;
          } else if (isQuote(c)) {
            token = c;
            quote = c;
            state = State::Quote;
          } else {
            return std::u32string(1, c);  // a character outside wordchars is a token alone
          }
          break;
        case State::Quote:
          token += c;
          if (c == quote) return token;  // quotes stay part of the token
          break;
        case State::Word:
          if (isShlexWhitespace(c)) return token;
          if (c == U'#') {
            skipRestOfLine();  // non-POSIX shlex keeps the word going on the next line
          } else if (isKeyValueWordChar(c) || isQuote(c)) {
            token += c;
          } else {
            pushedBack_ = c;
            return token;
          }
          break;
      }
    }
  }

  // instream.readline(): up to and including the next "\n".
  void skipRestOfLine() {
    while (position_ < text_.size() && text_[position_++] != U'\n') {
    }
  }

  std::u32string text_;
  size_t position_ = 0;
  std::optional<char32_t> pushedBack_;
};

std::string stripQuotes(const std::string& value) {
  const size_t first = value.find_first_not_of("'\"");
  if (first == std::string::npos) return "";
  const size_t last = value.find_last_not_of("'\"");
  return value.substr(first, last - first + 1);
}

}  // namespace

Result<std::vector<std::string>> shlexSplit(std::string_view text) {
  // shlex(text, posix=True) with whitespace_split=True and commenters=''. Every
  // character it treats specially is ASCII, so walking bytes is walking characters.
  enum class State { Whitespace, Word, SingleQuote, DoubleQuote, Escape };
  std::vector<std::string> words;
  std::string word;
  bool quoted = false;  // an empty word counts when it had quotes
  State state = State::Whitespace;
  State afterEscape = State::Word;
  for (const char c : text) {
    switch (state) {
      case State::Whitespace:
      case State::Word:
        if (isShlexWhitespace(static_cast<unsigned char>(c))) {
          if (state == State::Word && (!word.empty() || quoted)) words.push_back(word);
          word.clear();
          quoted = false;
          state = State::Whitespace;
        } else if (c == '\\') {
          afterEscape = State::Word;
          state = State::Escape;
        } else if (c == '\'') {
          state = State::SingleQuote;
        } else if (c == '"') {
          state = State::DoubleQuote;
        } else {
          word += c;
          state = State::Word;
        }
        break;
      case State::SingleQuote:
      case State::DoubleQuote:
        quoted = true;
        if (c == (state == State::SingleQuote ? '\'' : '"')) {
          state = State::Word;
        } else if (state == State::DoubleQuote && c == '\\') {
          afterEscape = State::DoubleQuote;
          state = State::Escape;
        } else {
          word += c;
        }
        break;
      case State::Escape:
        // In double quotes only the quote and the backslash itself are escaped.
        if (afterEscape == State::DoubleQuote && c != '\\' && c != '"') word += '\\';
        word += c;
        state = afterEscape;
        break;
    }
  }
  if (state == State::SingleQuote || state == State::DoubleQuote) return makeError("No closing quotation");
  if (state == State::Escape) return makeError("No escaped character");
  if (state == State::Word && (!word.empty() || quoted)) words.push_back(word);
  return words;
}

Result<KeyValuePairs> parseKeyValuePairs(std::string_view text) {
  auto tokens = NonPosixLexer(text).tokens();
  if (!tokens) return tokens.takeError();
  KeyValuePairs pairs;
  for (size_t i = 0; i < tokens->size(); i += 4) {  // key, "=", value, then any one token
    if (i + 3 > tokens->size() || (*tokens)[i + 1] != "=")
      return makeError("Unexpected end of key/value pairs in value '" + std::string(text) + "'");
    const std::string& key = (*tokens)[i];
    std::string value = stripQuotes((*tokens)[i + 2]);
    bool replaced = false;
    for (auto& pair : pairs) {
      if (pair.first == key) {
        pair.second = std::move(value);
        replaced = true;
        break;
      }
    }
    if (!replaced) pairs.emplace_back(key, std::move(value));
  }
  return pairs;
}

}  // namespace common
