#include "sensors/ros/msg_decoder.h"

#include <cstring>
#include <stdexcept>

namespace longtail::sensors::ros {
namespace {

// Thrown from deep inside the walk, caught once in DecodeMessage.
struct DecodeFailure {
  DecodeError error;
};

std::size_t PrimitiveSize(Primitive p) {
  switch (p) {
    case Primitive::kBool:
    case Primitive::kInt8:
    case Primitive::kUInt8:
      return 1;
    case Primitive::kInt16:
    case Primitive::kUInt16:
      return 2;
    case Primitive::kInt32:
    case Primitive::kUInt32:
    case Primitive::kFloat32:
    case Primitive::kString:  // the length prefix
    case Primitive::kWString:
      return 4;
    case Primitive::kInt64:
    case Primitive::kUInt64:
    case Primitive::kFloat64:
      return 8;
    case Primitive::kNone:
      break;
  }
  return 1;
}

// Walks the bytes. CDR aligns each primitive to its size, counted from the end of the 4-byte
// encapsulation header; the ROS 1 serialization is packed and always little endian.
class Walker {
 public:
  Walker(const MsgSchema& schema, ByteView data, Encoding encoding)
      : schema_(schema), data_(data), aligned_(encoding == Encoding::kCdr) {
    if (encoding == Encoding::kCdr) {
      if (data.size() < 4)
        Fail("shorter than the 4-byte CDR encapsulation header", DecodeErrorKind::kTruncated);
      // 0x0000 = CDR big endian, 0x0001 = CDR little endian (PL_CDR variants the same way).
      if (data[0] != 0 || data[1] > 3) {
        Fail("unknown CDR encapsulation", DecodeErrorKind::kUnsupported);
      }
      little_ = (data[1] & 1) != 0;
      origin_ = pos_ = 4;
    }
  }

  RosValue Message(const MsgType& type, int depth) {
    if (depth > 64) Fail("types nested more than 64 deep");
    RosValue value;
    value.kind = RosValue::Kind::kMessage;
    value.type = &type;
    value.items.reserve(type.fields.size());
    for (const MsgField& field : type.fields) value.items.push_back(Field(field, depth));
    return value;
  }

 private:
  [[noreturn]] void Fail(const std::string& reason,
                         DecodeErrorKind kind = DecodeErrorKind::kMalformed) const {
    throw DecodeFailure{{kind, "byte " + std::to_string(pos_) + ": " + reason}};
  }

  void Align(std::size_t size) {
    if (!aligned_ || size <= 1) return;
    const std::size_t rel = pos_ - origin_;
    pos_ += (size - rel % size) % size;
  }

  const std::uint8_t* Take(std::size_t n) {
    if (pos_ > data_.size() || data_.size() - pos_ < n) {
      Fail("needs " + std::to_string(n) + " bytes, only " +
               std::to_string(pos_ > data_.size() ? 0 : data_.size() - pos_) + " left",
           DecodeErrorKind::kTruncated);
    }
    const std::uint8_t* p = data_.data() + pos_;
    pos_ += n;
    return p;
  }

  std::uint64_t Unsigned(std::size_t n) {
    Align(n);
    const std::uint8_t* p = Take(n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t shift = little_ ? i : n - 1 - i;
      v |= std::uint64_t{p[i]} << (8 * shift);
    }
    return v;
  }

  std::uint32_t Length(const char* what, std::size_t min_element_bytes) {
    const std::uint64_t n = Unsigned(4);
    // A count the remaining bytes cannot hold is corruption, not a reason to allocate.
    if (n * min_element_bytes > data_.size() - std::min(pos_, data_.size())) {
      Fail(std::string(what) + " length " + std::to_string(n) + " runs past the end (" +
               std::to_string(data_.size()) + " bytes)",
           DecodeErrorKind::kTruncated);
    }
    return static_cast<std::uint32_t>(n);
  }

  RosValue Primitive1(Primitive p) {
    RosValue v;
    switch (p) {
      case Primitive::kBool:
      case Primitive::kUInt8:
      case Primitive::kUInt16:
      case Primitive::kUInt32:
      case Primitive::kUInt64: {
        const std::uint64_t u = Unsigned(PrimitiveSize(p));
        v.integer = static_cast<std::int64_t>(u);
        v.number = static_cast<double>(u);
        return v;
      }
      case Primitive::kInt8:
      case Primitive::kInt16:
      case Primitive::kInt32:
      case Primitive::kInt64: {
        const std::size_t n = PrimitiveSize(p);
        std::uint64_t u = Unsigned(n);
        if (n < 8 && (u >> (8 * n - 1)) != 0) u |= ~std::uint64_t{0} << (8 * n);  // sign-extend
        v.integer = static_cast<std::int64_t>(u);
        v.number = static_cast<double>(v.integer);
        return v;
      }
      case Primitive::kFloat32: {
        const auto bits = static_cast<std::uint32_t>(Unsigned(4));
        float f;
        std::memcpy(&f, &bits, 4);
        v.number = f;
        return v;
      }
      case Primitive::kFloat64: {
        const std::uint64_t bits = Unsigned(8);
        double d;
        std::memcpy(&d, &bits, 8);
        v.number = d;
        return v;
      }
      case Primitive::kString: {
        const std::uint32_t n = Length("string", 1);
        const std::uint8_t* p8 = Take(n);
        v.kind = RosValue::Kind::kString;
        // CDR counts the terminating NUL; ROS 1 does not have one.
        std::size_t len = n;
        if (aligned_ && len > 0 && p8[len - 1] == 0) --len;
        v.text.assign(reinterpret_cast<const char*>(p8), len);
        return v;
      }
      case Primitive::kWString:
        Fail("wstring fields are not supported");
      case Primitive::kNone:
        break;
    }
    Fail("internal: not a primitive");
  }

  RosValue Element(const MsgField& field, int depth) {
    if (field.primitive != Primitive::kNone) return Primitive1(field.primitive);
    const MsgType* type = schema_.Type(field.type);
    if (!type) Fail("type '" + field.type + "' undefined");
    return Message(*type, depth + 1);
  }

  RosValue Field(const MsgField& field, int depth) {
    if (field.array == MsgField::Array::kNone) return Element(field, depth);
    const std::uint32_t count =
        field.array == MsgField::Array::kFixed
            ? field.fixed_size
            : Length("array",
                     field.primitive == Primitive::kNone ? 0 : PrimitiveSize(field.primitive));
    RosValue v;
    if (field.primitive == Primitive::kUInt8 || field.primitive == Primitive::kInt8) {
      v.kind = RosValue::Kind::kBytes;
      v.bytes = ByteView(Take(count), count);
      return v;
    }
    v.kind = RosValue::Kind::kArray;
    // Nested messages may be empty on the wire; cap the up-front reservation either way.
    v.items.reserve(std::min<std::uint32_t>(count, 4096));
    for (std::uint32_t i = 0; i < count; ++i) {
      v.items.push_back(Element(field, depth));
      if (field.primitive == Primitive::kNone && i > (1u << 20))
        Fail("array of over 2^20 messages");
    }
    return v;
  }

  const MsgSchema& schema_;
  ByteView data_;
  bool aligned_;
  bool little_ = true;
  std::size_t pos_ = 0;
  std::size_t origin_ = 0;
};

}  // namespace

const RosValue* RosValue::Get(const std::string& name) const {
  if (kind != Kind::kMessage || !type) return nullptr;
  const std::optional<std::size_t> index = type->Find(name);
  if (!index || *index >= items.size()) return nullptr;
  return &items[*index];
}

Decoded<RosValue> DecodeMessage(const MsgSchema& schema, ByteView data, Encoding encoding) {
  const MsgType* root = schema.Type(schema.root);
  if (!root) {
    return DecodeError{DecodeErrorKind::kMalformed,
                       "schema has no root type '" + schema.root + "'"};
  }
  try {
    Walker walker(schema, data, encoding);
    return walker.Message(*root, 0);
  } catch (const DecodeFailure& failure) {
    return failure.error;
  }
}

const RosValue* Find(const RosValue& root, const std::string& dotted_path) {
  const RosValue* value = &root;
  std::size_t start = 0;
  while (value && start <= dotted_path.size()) {
    const std::size_t dot = dotted_path.find('.', start);
    const std::string name =
        dotted_path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    value = value->Get(name);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return value;
}

std::optional<double> NumberAt(const RosValue& root, const std::string& dotted_path) {
  const RosValue* v = Find(root, dotted_path);
  if (!v || v->kind != RosValue::Kind::kNumber) return std::nullopt;
  return v->number;
}

std::optional<std::string> TextAt(const RosValue& root, const std::string& dotted_path) {
  const RosValue* v = Find(root, dotted_path);
  if (!v || v->kind != RosValue::Kind::kString) return std::nullopt;
  return v->text;
}

}  // namespace longtail::sensors::ros
