// A small JSON reader (RFC 8259 values) for model metadata (the featherdet metadata, Ultralytics'
// metadata.json, the decoder option that overrides them), plus the escaping used when writing it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace fd {

// One parsed JSON value. Objects keep their keys in document order (a later duplicate wins in
// find()).
class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  bool as_bool() const { return bool_; }
  double as_number() const { return number_; }
  const std::string& as_string() const { return string_; }
  const std::vector<JsonValue>& items() const { return items_; }                           // arrays
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }  // objects

  // The member named `key` of an object, or null when absent (or when this is not an object).
  const JsonValue* find(const std::string& key) const;
  // Sets (replaces or appends) member `key` of an object.
  void set(const std::string& key, JsonValue v);

  static JsonValue make_null() { return JsonValue(); }
  static JsonValue make_bool(bool b);
  static JsonValue make_number(double d);
  static JsonValue make_string(std::string s);
  static JsonValue make_array(std::vector<JsonValue> items);
  static JsonValue make_object();

 private:
  friend class JsonParser;
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

// Parses `text` as one JSON value. Errors say what was expected and at which byte offset.
Status parse_json(const std::string& text, JsonValue* out);

// Appends `s` to `out` as a quoted JSON string literal.
void append_json_string(std::string* out, const std::string& s);

// Appends a number with enough digits to round-trip a float (null when not finite).
void append_json_number(std::string* out, double d);

// "number", "string", ... for error messages.
const char* json_type_name(JsonValue::Type t);

}  // namespace fd
