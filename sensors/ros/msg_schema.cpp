#include "sensors/ros/msg_schema.h"

#include <cctype>
#include <sstream>

namespace longtail::sensors::ros {
namespace {

std::string Trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

bool IsIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::optional<Primitive> PrimitiveNamed(const std::string& name, Dialect dialect) {
  static const std::map<std::string, Primitive> kNames = {
      {"bool", Primitive::kBool},       {"int8", Primitive::kInt8},
      {"uint8", Primitive::kUInt8},     {"int16", Primitive::kInt16},
      {"uint16", Primitive::kUInt16},   {"int32", Primitive::kInt32},
      {"uint32", Primitive::kUInt32},   {"int64", Primitive::kInt64},
      {"uint64", Primitive::kUInt64},   {"float32", Primitive::kFloat32},
      {"float64", Primitive::kFloat64}, {"string", Primitive::kString},
      {"wstring", Primitive::kWString}, {"char", Primitive::kUInt8},
  };
  // `byte` is a signed int8 in ROS 1 (deprecated alias) and an octet in ROS 2: one byte either way.
  if (name == "byte") return dialect == Dialect::kRos1 ? Primitive::kInt8 : Primitive::kUInt8;
  auto it = kNames.find(name);
  if (it == kNames.end()) return std::nullopt;
  return it->second;
}

// The package of "pkg/Type", or "" for a bare name.
std::string PackageOf(const std::string& name) {
  const std::size_t slash = name.find('/');
  return slash == std::string::npos ? "" : name.substr(0, slash);
}

// A field's type as written, resolved against the package of the type that holds it.
std::string ResolveType(const std::string& written, const std::string& holder, Dialect dialect) {
  if (written.find('/') != std::string::npos) return NormalizeTypeName(written);
  if (dialect == Dialect::kRos1 && written == "Header") return "std_msgs/Header";
  if (dialect == Dialect::kRos1 && (written == "time" || written == "duration")) return written;
  return PackageOf(holder) + "/" + written;
}

// Parses one field line ("float64[9] k", "string<=8 name", "uint8 x 3"); constants give nullopt
// with no error.
std::optional<MsgField> ParseField(const std::string& line, const std::string& holder,
                                   Dialect dialect, std::string* error) {
  std::istringstream in(line);
  std::string type, name;
  in >> type >> name;
  if (type.empty() || name.empty()) {
    *error = "expected '<type> <name>'";
    return std::nullopt;
  }
  // A constant is "TYPE NAME=value" (spaces around '=' allowed): not serialized.
  const std::size_t eq = line.find('=', line.find(type) + type.size());
  if (eq != std::string::npos) {
    const std::string left =
        Trim(line.substr(line.find(type) + type.size(), eq - line.find(type) - type.size()));
    if (IsIdentifier(left)) return std::nullopt;
  }
  if (!IsIdentifier(name)) {
    *error = "bad field name '" + name + "'";
    return std::nullopt;
  }
  MsgField field;
  field.name = name;
  const std::size_t bracket = type.find('[');
  if (bracket != std::string::npos) {
    if (type.back() != ']') {
      *error = "bad array type '" + type + "'";
      return std::nullopt;
    }
    const std::string size = type.substr(bracket + 1, type.size() - bracket - 2);
    type = type.substr(0, bracket);
    if (size.empty() || size.rfind("<=", 0) == 0) {
      field.array = MsgField::Array::kDynamic;  // bounded sequences are dynamic on the wire
    } else {
      field.array = MsgField::Array::kFixed;
      try {
        const unsigned long n = std::stoul(size);
        if (n > 1u << 24) throw std::out_of_range("too large");
        field.fixed_size = static_cast<std::uint32_t>(n);
      } catch (const std::exception&) {
        *error = "bad array size '" + size + "'";
        return std::nullopt;
      }
    }
  }
  // Bounded strings ("string<=8") are plain strings on the wire.
  const std::size_t bound = type.find("<=");
  if (bound != std::string::npos) type = type.substr(0, bound);
  if (auto primitive = PrimitiveNamed(type, dialect)) {
    field.primitive = *primitive;
  } else {
    field.type = ResolveType(type, holder, dialect);
  }
  return field;
}

MsgType BuiltinTime(const std::string& name) {
  // ROS 1 time is {uint32 sec, uint32 nsec}; duration is signed.
  MsgType type;
  type.name = name;
  const Primitive p = name == "time" ? Primitive::kUInt32 : Primitive::kInt32;
  type.fields.push_back({"sec", p, "", MsgField::Array::kNone, 0});
  type.fields.push_back({"nsec", p, "", MsgField::Array::kNone, 0});
  return type;
}

}  // namespace

std::optional<std::size_t> MsgType::Find(const std::string& field_name) const {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field_name) return i;
  }
  return std::nullopt;
}

const MsgType* MsgSchema::Type(const std::string& name) const {
  auto it = types.find(name);
  return it == types.end() ? nullptr : &it->second;
}

std::string NormalizeTypeName(const std::string& name) {
  const std::size_t msg = name.find("/msg/");
  if (msg == std::string::npos) return name;
  return name.substr(0, msg) + "/" + name.substr(msg + 5);
}

Decoded<MsgSchema> ParseMsgSchema(const std::string& root_type, const std::string& text,
                                  Dialect dialect) {
  MsgSchema schema;
  schema.root = NormalizeTypeName(root_type);
  std::string current = schema.root;
  schema.types[current].name = current;
  std::istringstream in(text);
  std::string raw;
  int line_number = 0;
  bool expect_msg_line = false;
  while (std::getline(in, raw)) {
    ++line_number;
    std::string line = raw;
    const std::size_t hash = line.find('#');
    // A '#' inside a string constant is not a comment, but constants are dropped anyway.
    if (hash != std::string::npos) line = line.substr(0, hash);
    line = Trim(line);
    if (line.empty()) continue;
    if (line.find_first_not_of('=') == std::string::npos) {
      expect_msg_line = true;
      continue;
    }
    if (line.rfind("MSG:", 0) == 0) {
      current = NormalizeTypeName(Trim(line.substr(4)));
      if (schema.types.count(current) && !schema.types[current].fields.empty()) {
        return DecodeError{
            DecodeErrorKind::kMalformed,
            "line " + std::to_string(line_number) + ": type '" + current + "' defined twice"};
      }
      schema.types[current].name = current;
      expect_msg_line = false;
      continue;
    }
    if (line.rfind("IDL:", 0) == 0) {
      return DecodeError{DecodeErrorKind::kUnsupported,
                         "line " + std::to_string(line_number) + ": IDL schemas unsupported"};
    }
    if (expect_msg_line) {
      return DecodeError{DecodeErrorKind::kMalformed, "line " + std::to_string(line_number) +
                                                          ": expected 'MSG: pkg/Type' after '==='"};
    }
    std::string error;
    std::optional<MsgField> field = ParseField(line, current, dialect, &error);
    if (!error.empty()) {
      return DecodeError{DecodeErrorKind::kMalformed,
                         "line " + std::to_string(line_number) + ": " + error};
    }
    if (field) schema.types[current].fields.push_back(std::move(*field));
  }
  if (dialect == Dialect::kRos1) {
    schema.types.emplace("time", BuiltinTime("time"));
    schema.types.emplace("duration", BuiltinTime("duration"));
  }
  // Every nested type must be defined; a type with no fields is legal (std_msgs/Empty) only when
  // the text declared it.
  for (const auto& [name, type] : schema.types) {
    for (const MsgField& field : type.fields) {
      if (field.primitive == Primitive::kNone && !schema.types.count(field.type)) {
        return DecodeError{DecodeErrorKind::kMalformed, "type '" + name + "' field '" + field.name +
                                                            "': '" + field.type + "' undefined"};
      }
    }
  }
  return schema;
}

}  // namespace longtail::sensors::ros
