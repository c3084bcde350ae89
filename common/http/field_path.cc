#include "common/http/field_path.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/util/field_mask_util.h"

namespace bulletin {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status BadValue(absl::string_view path, absl::string_view text,
                      absl::string_view wanted) {
  return absl::InvalidArgumentError(
      absl::StrCat("parameter ", path, "='", text, "' is not ", wanted));
}

absl::Status SetLeaf(absl::string_view path, absl::string_view text,
                     const FieldDescriptor* field, Message* message) {
  const Reflection* reflection = message->GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string value(text);
      if (field->type() == FieldDescriptor::TYPE_BYTES &&
          !absl::Base64Unescape(text, &value) &&
          !absl::WebSafeBase64Unescape(text, &value)) {
        return BadValue(path, text, "base64");
      }
      if (repeated) {
        reflection->AddString(message, field, std::move(value));
      } else {
        reflection->SetString(message, field, std::move(value));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t value;
      if (!absl::SimpleAtoi(text, &value))
        return BadValue(path, text, "an integer");
      repeated ? reflection->AddInt32(message, field, value)
               : reflection->SetInt32(message, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t value;
      if (!absl::SimpleAtoi(text, &value))
        return BadValue(path, text, "an integer");
      repeated ? reflection->AddInt64(message, field, value)
               : reflection->SetInt64(message, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t value;
      if (!absl::SimpleAtoi(text, &value)) {
        return BadValue(path, text, "a non-negative integer");
      }
      repeated ? reflection->AddUInt32(message, field, value)
               : reflection->SetUInt32(message, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t value;
      if (!absl::SimpleAtoi(text, &value)) {
        return BadValue(path, text, "a non-negative integer");
      }
      repeated ? reflection->AddUInt64(message, field, value)
               : reflection->SetUInt64(message, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double value;
      if (!absl::SimpleAtod(text, &value))
        return BadValue(path, text, "a number");
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        repeated
            ? reflection->AddFloat(message, field, static_cast<float>(value))
            : reflection->SetFloat(message, field, static_cast<float>(value));
      } else {
        repeated ? reflection->AddDouble(message, field, value)
                 : reflection->SetDouble(message, field, value);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool value;
      if (!absl::SimpleAtob(text, &value))
        return BadValue(path, text, "true or false");
      repeated ? reflection->AddBool(message, field, value)
               : reflection->SetBool(message, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumValueDescriptor* value =
          field->enum_type()->FindValueByName(std::string(text));
      int number;
      if (value == nullptr && absl::SimpleAtoi(text, &number)) {
        value = field->enum_type()->FindValueByNumber(number);
      }
      if (value == nullptr) {
        return BadValue(
            path, text,
            absl::StrCat("a value of ", field->enum_type()->name()));
      }
      repeated ? reflection->AddEnum(message, field, value)
               : reflection->SetEnum(message, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (!repeated &&
          field->message_type()->full_name() ==
              google::protobuf::FieldMask::descriptor()->full_name()) {
        // A FieldMask is written as in JSON: paths separated by commas, in
        // lowerCamelCase or as the proto names.
        google::protobuf::FieldMask mask;
        if (!google::protobuf::util::FieldMaskUtil::FromJsonString(
                std::string(text), &mask)) {
          google::protobuf::util::FieldMaskUtil::FromString(std::string(text),
                                                            &mask);
        }
        reflection->MutableMessage(message, field)->CopyFrom(mask);
        return absl::OkStatus();
      }
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "parameter ", path, " names a message; name one of its fields"));
}

}  // namespace

absl::Status SetFieldFromText(absl::string_view path, absl::string_view text,
                              Message* message) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  Message* current = message;
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* field =
        current->GetDescriptor()->FindFieldByName(std::string(parts[i]));
    if (field == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown parameter ", path, ": ",
                       message->GetDescriptor()->name(), " has no such field"));
    }
    if (i + 1 == parts.size()) return SetLeaf(path, text, field, current);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
        field->is_repeated()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown parameter ", path, ": ", parts[i],
                       " is not a singular message"));
    }
    current = current->GetReflection()->MutableMessage(current, field);
  }
  return absl::OkStatus();
}

}  // namespace bulletin
