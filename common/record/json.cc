#include "common/record/json.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace bulletin {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string ProtobufJson(const Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions print_options;
  print_options.preserve_proto_field_names = true;
  print_options.always_print_primitive_fields = true;
  print_options.add_whitespace = pretty;
  std::string out;
  // Printing a valid in-memory message cannot fail for our schemas (no Any,
  // no maps with unprintable keys); an empty object is the safe fallback.
  if (!google::protobuf::util::MessageToJsonString(message, &out, print_options)
           .ok()) {
    return "{}";
  }
  if (pretty && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Whether the direct printer below prints `descriptor` exactly as protobuf
// does: no maps and no well-known types (google.protobuf.*), whose JSON
// forms are special, anywhere inside it.
bool DirectlyPrintable(const Descriptor* descriptor, int depth = 0) {
  if (depth > 32 || descriptor->file()->package() == "google.protobuf") {
    return false;
  }
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->is_map()) return false;
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        field->message_type() != descriptor &&
        !DirectlyPrintable(field->message_type(), depth + 1)) {
      return false;
    }
  }
  return true;
}

// A JSON string, escaped as protobuf's JsonEscaping does: quote, backslash,
// control characters, < and > (so the JSON can sit in HTML), and U+2028 and
// U+2029 (line ends to JavaScript).
void AppendString(absl::string_view text, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"':
        out->append("\\\"");
        continue;
      case '\\':
        out->append("\\\\");
        continue;
      case '\b':
        out->append("\\b");
        continue;
      case '\f':
        out->append("\\f");
        continue;
      case '\n':
        out->append("\\n");
        continue;
      case '\r':
        out->append("\\r");
        continue;
      case '\t':
        out->append("\\t");
        continue;
      case '<':
      case '>':
        absl::StrAppend(out, "\\u00", absl::Hex(c, absl::kZeroPad2));
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
      absl::StrAppend(out, "\\u00", absl::Hex(c, absl::kZeroPad2));
    } else if (c == 0xe2 && i + 2 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(text[i + 2]) == 0xa8 ||
                static_cast<unsigned char>(text[i + 2]) == 0xa9)) {
      out->append(static_cast<unsigned char>(text[i + 2]) == 0xa8 ? "\\u2028"
                                                                  : "\\u2029");
      i += 2;
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

// Shortest of 15 (6 for float) or 17 (9) significant digits that reads
// back as the same value, as protobuf's SimpleDtoa and SimpleFtoa print.
void AppendDouble(double value, bool is_float, std::string* out) {
  if (std::isnan(value)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buffer[64];
  if (is_float) {
    const float f = static_cast<float>(value);
    std::snprintf(buffer, sizeof(buffer), "%.*g", FLT_DIG,
                  static_cast<double>(f));
    if (std::strtof(buffer, nullptr) != f) {
      std::snprintf(buffer, sizeof(buffer), "%.*g", FLT_DIG + 3,
                    static_cast<double>(f));
    }
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.*g", DBL_DIG, value);
    if (std::strtod(buffer, nullptr) != value) {
      std::snprintf(buffer, sizeof(buffer), "%.*g", DBL_DIG + 2, value);
    }
  }
  out->append(buffer);
}

void AppendMessage(const Message& message, std::string* out);

// One value of `field`: element `index` of a repeated field, or the field.
void AppendValue(const Message& message, const FieldDescriptor* field,
                 int index, std::string* out) {
  const Reflection* r = message.GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(out, repeated ? r->GetRepeatedInt32(message, field, index)
                                    : r->GetInt32(message, field));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(out, repeated
                               ? r->GetRepeatedUInt32(message, field, index)
                               : r->GetUInt32(message, field));
      return;
    // proto3 JSON quotes 64-bit integers.
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(out, "\"",
                      repeated ? r->GetRepeatedInt64(message, field, index)
                               : r->GetInt64(message, field),
                      "\"");
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(out, "\"",
                      repeated ? r->GetRepeatedUInt64(message, field, index)
                               : r->GetUInt64(message, field),
                      "\"");
      return;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendDouble(repeated ? r->GetRepeatedDouble(message, field, index)
                            : r->GetDouble(message, field),
                   false, out);
      return;
    case FieldDescriptor::CPPTYPE_FLOAT:
      AppendDouble(repeated ? r->GetRepeatedFloat(message, field, index)
                            : r->GetFloat(message, field),
                   true, out);
      return;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((repeated ? r->GetRepeatedBool(message, field, index)
                            : r->GetBool(message, field))
                      ? "true"
                      : "false");
      return;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = repeated
                             ? r->GetRepeatedEnumValue(message, field, index)
                             : r->GetEnumValue(message, field);
      const google::protobuf::EnumValueDescriptor* value =
          field->enum_type()->FindValueByNumber(number);
      if (value != nullptr) {
        AppendString(value->name(), out);
      } else {
        absl::StrAppend(out, number);
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& text =
          repeated
              ? r->GetRepeatedStringReference(message, field, index, &scratch)
              : r->GetStringReference(message, field, &scratch);
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        AppendString(absl::Base64Escape(text), out);
      } else {
        AppendString(text, out);
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      AppendMessage(repeated ? r->GetRepeatedMessage(message, field, index)
                             : r->GetMessage(message, field),
                    out);
      return;
  }
}

// Fields in declaration order; unset singular messages and unset oneof
// members left out, every other field printed even at its default, as
// always_print_primitive_fields does.
void AppendMessage(const Message& message, std::string* out) {
  const Descriptor* descriptor = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (!field->is_repeated() &&
        (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ||
         field->containing_oneof() != nullptr) &&
        !r->HasField(message, field)) {
      continue;
    }
    if (!first) out->push_back(',');
    first = false;
    AppendString(field->name(), out);
    out->push_back(':');
    if (!field->is_repeated()) {
      AppendValue(message, field, 0, out);
      continue;
    }
    out->push_back('[');
    const int size = r->FieldSize(message, field);
    for (int j = 0; j < size; ++j) {
      if (j > 0) out->push_back(',');
      AppendValue(message, field, j, out);
    }
    out->push_back(']');
  }
  out->push_back('}');
}

}  // namespace

std::string ToJson(const Message& message, JsonOptions options) {
  // protobuf's printer goes through a binary round trip and a tree of
  // default values; printing straight from reflection is several times
  // faster (the HTTP API prints every answer), and a test holds the two to
  // the same output.
  if (options.pretty || !DirectlyPrintable(message.GetDescriptor())) {
    return ProtobufJson(message, options.pretty);
  }
  std::string out;
  AppendMessage(message, &out);
  return out;
}

absl::Status FromJson(const std::string& json, Message* message) {
  google::protobuf::util::JsonParseOptions parse_options;
  parse_options.ignore_unknown_fields = false;
  auto status =
      google::protobuf::util::JsonStringToMessage(json, message, parse_options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        std::string(status.message().data(), status.message().size()));
  }
  return absl::OkStatus();
}

}  // namespace bulletin
