#include "common/python_format.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <optional>

#include "common/python_str.h"

namespace common {

FormatMapping::FormatMapping(std::initializer_list<Item> items) {
  for (const auto& item : items) set(item.first, item.second);
}

void FormatMapping::set(std::string name, FormatValue value) {
  for (auto& item : items_) {
    if (item.first == name) {
      item.second = std::move(value);
      return;
    }
  }
  items_.emplace_back(std::move(name), std::move(value));
}

const FormatValue* FormatMapping::find(std::string_view name) const {
  for (const auto& item : items_) {
    if (item.first == name) return &item.second;
  }
  return nullptr;
}

namespace {

// Widths and precisions beyond this are refused with Python's MemoryError instead of
// allocated: Python tries and fails only when the machine runs out of memory.
constexpr long long kLargestPadding = 1LL << 28;

enum Flag : int { kLeftJustify = 1, kSign = 2, kBlank = 4, kAlternate = 8, kZero = 16 };

std::string decimal(long long value) { return std::to_string(value); }

// What Python's formatter holds as its current argument: the whole dict, or the
// value a `%(name)` key selected.
struct Operand {
  const FormatMapping* mapping = nullptr;
  const FormatValue* value = nullptr;

  bool isInt() const { return value && std::holds_alternative<long long>(*value); }
  bool isStr() const { return value && std::holds_alternative<std::string>(*value); }
  long long asInt() const { return std::get<long long>(*value); }
  const std::string& asStr() const { return std::get<std::string>(*value); }
  const char* typeName() const { return mapping ? "dict" : isInt() ? "int" : "str"; }

  std::string repr() const {
    if (value) return isInt() ? decimal(asInt()) : pythonRepr(asStr());
    std::string out = "{";
    for (const auto& [name, item] : mapping->items()) {
      if (out.size() > 1) out += ", ";
      out += pythonRepr(name);
      out += ": ";
      out += Operand{nullptr, &item}.repr();
    }
    return out + "}";
  }
  std::string str() const {
    if (isStr()) return asStr();
    return repr();
  }
};

// One conversion specification, as CPython's unicode_format_arg_t.
struct Spec {
  char32_t ch = 0;
  int flags = 0;
  long long width = -1;
  long long prec = -1;
  bool sign = false;
};

// A port of CPython 3.11's PyUnicode_Format (Objects/unicodeobject.c) for a dict
// operand, kept step by step (including its position and count bookkeeping) so
// that errors come in Python's order and with Python's indexes.
class Formatter {
 public:
  Formatter(std::u32string format, const FormatMapping& mapping)
      : format_(std::move(format)), mapping_(mapping), operand_{&mapping, nullptr} {}

  std::variant<std::string, FormatError> run() {
    count_ = static_cast<long long>(format_.size());
    while (--count_ >= 0) {
      if (at(position_) != U'%') {
        output_ += at(position_++);
        continue;
      }
      ++position_;
      if (!formatOne()) return std::move(*error_);
    }
    return encodeUtf8(output_);
  }

 private:
  // The character at index i; past the end, the terminating NUL C would read.
  char32_t at(long long i) const {
    return i < static_cast<long long>(format_.size()) ? format_[static_cast<size_t>(i)] : U'\0';
  }
  char32_t readNext() { return at(position_++); }

  bool fail(FormatErrorKind kind, std::string message) {
    error_ = FormatError{kind, std::move(message)};
    return false;
  }

  // unicode_format_getnextarg: a dict operand is used once per key.
  std::optional<Operand> nextArgument() {
    if (argumentIndex_ < -1) {
      ++argumentIndex_;
      return operand_;
    }
    fail(FormatErrorKind::TypeError, "not enough arguments for format string");
    return std::nullopt;
  }

  bool formatOne() {
    Spec spec;
    spec.ch = at(position_);
    if (spec.ch == U'%') {
      ++position_;
      --count_;
      output_ += U'%';
      return true;
    }
    if (!parse(spec)) return false;
    std::optional<std::u32string> text;
    bool written = false;
    if (!convert(spec, text, written)) return false;
    if (!written) return pad(spec, *text);
    return true;
  }

  // unicode_format_arg_parse
  bool parse(Spec& spec) {
    if (at(position_) == U'(') {
      ++position_;
      --count_;
      const long long keyStart = position_;
      int depth = 1;
      while (depth > 0 && --count_ >= 0) {
        const char32_t c = at(position_);
        if (c == U')') --depth;
        else if (c == U'(') ++depth;
        ++position_;
      }
      if (count_ < 0 || depth > 0) return fail(FormatErrorKind::ValueError, "incomplete format key");
      const long long keyLength = position_ - keyStart - 1;
      const std::string key =
          encodeUtf8(std::u32string_view(format_).substr(static_cast<size_t>(keyStart), static_cast<size_t>(keyLength)));
      const FormatValue* value = mapping_.find(key);
      if (!value) return fail(FormatErrorKind::KeyError, pythonRepr(key));
      operand_.value = value;
      operand_.mapping = nullptr;
      argumentIndex_ = -2;
    }

    while (--count_ >= 0) {
      spec.ch = readNext();
      if (spec.ch == U'-') spec.flags |= kLeftJustify;
      else if (spec.ch == U'+') spec.flags |= kSign;
      else if (spec.ch == U' ') spec.flags |= kBlank;
      else if (spec.ch == U'#') spec.flags |= kAlternate;
      else if (spec.ch == U'0') spec.flags |= kZero;
      else break;
    }

    if (spec.ch == U'*') {
      auto v = nextArgument();
      if (!v) return false;
      if (!v->isInt()) return fail(FormatErrorKind::TypeError, "* wants int");
      spec.width = v->asInt();
      if (spec.width < 0) {
        spec.flags |= kLeftJustify;
        spec.width = spec.width == LLONG_MIN ? LLONG_MAX : -spec.width;
      }
      if (--count_ >= 0) spec.ch = readNext();
    } else if (isDigit(spec.ch)) {
      spec.width = spec.ch - U'0';
      while (--count_ >= 0) {
        spec.ch = readNext();
        if (!isDigit(spec.ch)) break;
        const int digit = static_cast<int>(spec.ch - U'0');
        if (spec.width > (LLONG_MAX - digit) / 10) return fail(FormatErrorKind::ValueError, "width too big");
        spec.width = spec.width * 10 + digit;
      }
    }

    if (spec.ch == U'.') {
      spec.prec = 0;
      if (--count_ >= 0) spec.ch = readNext();
      if (spec.ch == U'*') {
        auto v = nextArgument();
        if (!v) return false;
        if (!v->isInt()) return fail(FormatErrorKind::TypeError, "* wants int");
        if (v->asInt() > INT_MAX || v->asInt() < INT_MIN)
          return fail(FormatErrorKind::OverflowError, "Python int too large to convert to C int");
        spec.prec = std::max(0LL, v->asInt());
        if (--count_ >= 0) spec.ch = readNext();
      } else if (isDigit(spec.ch)) {
        spec.prec = spec.ch - U'0';
        while (--count_ >= 0) {
          spec.ch = readNext();
          if (!isDigit(spec.ch)) break;
          const int digit = static_cast<int>(spec.ch - U'0');
          if (spec.prec > (INT_MAX - digit) / 10) return fail(FormatErrorKind::ValueError, "precision too big");
          spec.prec = spec.prec * 10 + digit;
        }
      }
    }

    // "h", "l" and "L" length modifiers are accepted and ignored.
    if (count_ >= 0 && (spec.ch == U'h' || spec.ch == U'l' || spec.ch == U'L')) {
      if (--count_ >= 0) spec.ch = readNext();
    }
    if (count_ < 0) return fail(FormatErrorKind::ValueError, "incomplete format");
    return true;
  }

  static bool isDigit(char32_t c) { return c >= U'0' && c <= U'9'; }

  void write(std::string_view utf8) { output_ += decodeUtf8(utf8); }

  // unicode_format_arg_format: either writes the result directly (the "fast paths",
  // written = true) or leaves the text for pad().
  bool convert(Spec& spec, std::optional<std::u32string>& text, bool& written) {
    auto v = nextArgument();
    if (!v) return false;
    switch (spec.ch) {
      case U's':
      case U'r':
      case U'a': {
        if (v->isInt() && spec.width == -1 && spec.prec == -1) {
          write(decimal(v->asInt()));
          written = true;
          return true;
        }
        const std::string utf8 = spec.ch == U's' ? v->str() : spec.ch == U'r' ? v->repr() : asciiOf(*v);
        text = decodeUtf8(utf8);
        return true;
      }
      case U'i':
      case U'd':
      case U'u':
      case U'o':
      case U'x':
      case U'X':
        return formatInteger(spec, *v, text, written);
      case U'e':
      case U'E':
      case U'f':
      case U'F':
      case U'g':
      case U'G': {
        std::string number;
        if (!formatFloat(spec, *v, number)) return false;
        if (spec.width == -1 && spec.prec == -1 && !(spec.flags & (kSign | kBlank))) {
          write(number);
          written = true;
          return true;
        }
        spec.sign = true;
        text = decodeUtf8(number);
        return true;
      }
      case U'c': {
        char32_t c = 0;
        if (v->isStr()) {
          const std::u32string chars = decodeUtf8(v->asStr());
          if (chars.size() != 1) return fail(FormatErrorKind::TypeError, "%c requires int or char");
          c = chars[0];
        } else if (v->isInt()) {
          if (v->asInt() < 0 || v->asInt() > 0x10FFFF)
            return fail(FormatErrorKind::OverflowError, "%c arg not in range(0x110000)");
          c = static_cast<char32_t>(v->asInt());
        } else {
          return fail(FormatErrorKind::TypeError, "%c requires int or char");
        }
        if (spec.width == -1 && spec.prec == -1) {
          output_ += c;
          written = true;
          return true;
        }
        text = std::u32string(1, c);
        return true;
      }
      default: {
        const bool printable = spec.ch >= 31 && spec.ch <= 126;
        char hex[16];
        std::snprintf(hex, sizeof hex, "%x", static_cast<unsigned>(spec.ch));
        std::string message = "unsupported format character '";
        message += printable ? static_cast<char>(spec.ch) : '?';
        message += "' (0x" + std::string(hex) + ") at index " + decimal(position_ - 1);
        return fail(FormatErrorKind::ValueError, message);
      }
    }
  }

  static std::string asciiOf(const Operand& v) {
    if (v.isStr()) return pythonAscii(v.asStr());
    // A dict or an int: its repr with everything beyond ASCII escaped.
    std::string out;
    for (char32_t c : decodeUtf8(v.repr())) {
      if (c < 0x80) {
        out += static_cast<char>(c);
      } else {
        char buffer[16];
        if (c <= 0xFF) std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(c));
        else if (c <= 0xFFFF) std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
        else std::snprintf(buffer, sizeof buffer, "\\U%08x", static_cast<unsigned>(c));
        out += buffer;
      }
    }
    return out;
  }

  // Python's int in base 10, 8 ("0o17") or 16 ("0x1f"), as _PyLong_Format.
  static std::string inBase(long long value, int base, bool marker) {
    const bool negative = value < 0;
    unsigned long long magnitude = negative ? 0ULL - static_cast<unsigned long long>(value) : value;
    std::string digits;
    do {
      digits += "0123456789abcdef"[magnitude % base];
      magnitude /= base;
    } while (magnitude);
    if (marker && base == 8) digits += "o0";
    if (marker && base == 16) digits += "x0";
    if (negative) digits += '-';
    return std::string(digits.rbegin(), digits.rend());
  }

  // mainformatlong and _PyUnicode_FormatLong
  bool formatInteger(Spec& spec, const Operand& v, std::optional<std::u32string>& text, bool& written) {
    const char type = static_cast<char>(spec.ch);
    if (!v.isInt()) {
      const bool needsInteger = type == 'o' || type == 'x' || type == 'X';
      return fail(FormatErrorKind::TypeError, std::string("%") + type + " format: " +
                                                  (needsInteger ? "an integer" : "a real number") +
                                                  " is required, not " + v.typeName());
    }
    const int base = type == 'o' ? 8 : (type == 'x' || type == 'X') ? 16 : 10;
    const bool alternate = spec.flags & kAlternate;
    if (spec.width == -1 && spec.prec == -1 && !(spec.flags & (kSign | kBlank)) && type != 'X') {
      write(inBase(v.asInt(), base, alternate));
      written = true;
      return true;
    }
    if (spec.prec > INT_MAX - 3) return fail(FormatErrorKind::OverflowError, "precision too large");
    if (spec.prec > kLargestPadding) return fail(FormatErrorKind::MemoryError, "");

    std::string number = inBase(v.asInt(), base, base != 10);
    const size_t signLength = number[0] == '-' ? 1 : 0;
    size_t nonDigits = signLength + (base != 10 ? 2 : 0);
    if (!alternate && base != 10) {
      number.erase(signLength, 2);  // the "0x" / "0o" marker
      nonDigits -= 2;
    }
    const long long digits = static_cast<long long>(number.size() - nonDigits);
    if (spec.prec > digits) number.insert(nonDigits, static_cast<size_t>(spec.prec - digits), '0');
    if (type == 'X') {
      for (char& c : number) {
        if (c >= 'a' && c <= 'x') c = static_cast<char>(c - 'a' + 'A');
      }
    }
    spec.sign = true;
    text = decodeUtf8(number);
    return true;
  }

  // formatfloat: an int converts to a float; a str or the dict does not.
  bool formatFloat(const Spec& spec, const Operand& v, std::string& number) {
    if (!v.isInt()) return fail(FormatErrorKind::TypeError, std::string("must be real number, not ") + v.typeName());
    const int precision = spec.prec < 0 ? 6 : static_cast<int>(spec.prec);
    if (precision > kLargestPadding) return fail(FormatErrorKind::MemoryError, "");
    const double x = static_cast<double>(v.asInt());
    std::string conversion = (spec.flags & kAlternate) ? "%#.*" : "%.*";
    conversion += static_cast<char>(spec.ch);
    const int length = std::snprintf(nullptr, 0, conversion.c_str(), precision, x);
    number.assign(static_cast<size_t>(length) + 1, '\0');
    std::snprintf(number.data(), number.size(), conversion.c_str(), precision, x);
    number.resize(static_cast<size_t>(length));
    return true;
  }

  // unicode_format_arg_output: sign, "0x" prefix, padding and truncation.
  bool pad(Spec& spec, const std::u32string& text) {
    const char32_t fill = (spec.sign && (spec.flags & kZero)) ? U'0' : U' ';
    long long length = static_cast<long long>(text.size());
    if ((spec.width == -1 || spec.width <= length) && (spec.prec == -1 || spec.prec >= length) &&
        !(spec.flags & (kSign | kBlank))) {
      output_ += text;
      return true;
    }
    if (spec.ch == U's' || spec.ch == U'r' || spec.ch == U'a') {
      if (spec.prec >= 0 && length > spec.prec) length = spec.prec;
    }
    size_t index = 0;
    char32_t signChar = 0;
    if (spec.sign) {
      const char32_t first = text.empty() ? U'\0' : text[0];
      if (first == U'-' || first == U'+') {
        signChar = first;
        --length;
        ++index;
      } else if (spec.flags & kSign) {
        signChar = U'+';
      } else if (spec.flags & kBlank) {
        signChar = U' ';
      } else {
        spec.sign = false;
      }
    }
    if (spec.width < length) spec.width = length;
    if (spec.width > kLargestPadding) return fail(FormatErrorKind::MemoryError, "");

    const bool hasPrefix = (spec.flags & kAlternate) && (spec.ch == U'x' || spec.ch == U'X' || spec.ch == U'o');
    if (spec.sign) {
      if (fill != U' ') output_ += signChar;
      if (spec.width > length) --spec.width;
    }
    if (hasPrefix) {
      if (fill != U' ') {
        output_ += text.substr(index, 2);
        index += 2;
      }
      spec.width = std::max(0LL, spec.width - 2);
      length -= 2;
    }
    if (spec.width > length && !(spec.flags & kLeftJustify)) {
      output_.append(static_cast<size_t>(spec.width - length), fill);
      spec.width = length;
    }
    if (fill == U' ') {
      if (spec.sign) output_ += signChar;
      if (hasPrefix) {
        output_ += text.substr(index, 2);
        index += 2;
      }
    }
    if (length > 0) output_ += text.substr(index, static_cast<size_t>(length));
    if (spec.width > length) output_.append(static_cast<size_t>(spec.width - length), U' ');
    return true;
  }

  std::u32string format_;
  const FormatMapping& mapping_;  // CPython's ctx->dict: where every key is looked up
  long long position_ = 0;
  long long count_ = 0;
  Operand operand_;  // CPython's ctx->args: the dict, then the value of the last key
  int argumentIndex_ = -2;  // CPython's argidx for a non-tuple operand (arglen -1)
  std::u32string output_;
  std::optional<FormatError> error_;
};

}  // namespace

std::variant<std::string, FormatError> formatWithMapping(std::string_view format, const FormatMapping& mapping) {
  return Formatter(decodeUtf8(format), mapping).run();
}

Result<std::string> expand(std::string_view s, const FormatMapping& expansions, std::string_view name) {
  auto result = formatWithMapping(s, expansions);
  if (auto* text = std::get_if<std::string>(&result)) return std::move(*text);
  const auto& error = std::get<FormatError>(result);
  if (error.kind == FormatErrorKind::KeyError) {
    std::vector<std::string> available;
    for (const auto& item : expansions.items()) available.push_back(item.first);
    std::sort(available.begin(), available.end());
    std::string names;
    for (const auto& n : available) names += (names.empty() ? "" : ", ") + n;
    return makeError("Format string " + pythonRepr(s) + " for " + pythonRepr(name) + " contains names (" +
                     error.message + ") which cannot be expanded. Available names: " + names);
  }
  return makeError("Format string " + pythonRepr(s) + " for " + pythonRepr(name) +
                   " is badly formatted: " + error.message);
}

}  // namespace common
