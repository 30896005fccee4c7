// Keys and values of the etcd filesystem: CBOR maps (nlohmann-json), small and
// binary-safe, with short field names so that a record stays a few dozen bytes.
#include "fs/etcd/layout.h"

#include <dirent.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <cerrno>

namespace rcuvfs::etcdfs {

using json = nlohmann::json;

namespace {
json bytes(std::string_view s) { return json::binary(std::vector<uint8_t>(s.begin(), s.end())); }
std::string text(const json& j) {
  const auto& b = j.get_binary();
  return std::string(b.begin(), b.end());
}
}  // namespace

std::string Layout::hex(uint64_t v, int width) {
  std::string s(width, '0');
  for (int i = width - 1; i >= 0 && v; --i, v >>= 4) s[i] = "0123456789abcdef"[v & 15];
  return s;
}

namespace {
bool parse_hex(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 16) return false;
  out = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    out = out << 4 | static_cast<uint64_t>(d);
  }
  return true;
}
}  // namespace

Layout::Parsed Layout::parse(std::string_view key) const {
  Parsed out;
  if (!key.starts_with(p_)) return out;
  key.remove_prefix(p_.size());
  if (key.starts_with("i/")) {
    if (parse_hex(key.substr(2), out.ino)) out.kind = Kind::kInode;
  } else if (key.starts_with("d/") && key.size() > 2 + 16 + 1 && key[2 + 16] == '/') {
    if (parse_hex(key.substr(2, 16), out.ino)) {
      out.kind = Kind::kEntry;
      out.name = key.substr(2 + 16 + 1);
    }
  } else if (key.starts_with("orphan/") && key.size() >= 7 + 16 &&
             parse_hex(key.substr(7, 16), out.ino)) {
    const std::string_view rest = key.substr(7 + 16);
    if (rest.empty()) {
      out.kind = Kind::kOrphan;
    } else if (rest.size() > 1 && rest[0] == '/') {
      out.kind = Kind::kHold;
      out.name = rest.substr(1);
    }
  }
  return out;
}

uint64_t Layout::chunk_index_width(std::string_view key, size_t width) {
  uint64_t index = 0;
  (void)parse_hex(key.substr(key.size() >= width ? key.size() - width : 0), index);
  return index;
}

uint64_t Layout::chunk_index(std::string_view key) const { return chunk_index_width(key, 12); }

std::string encode(const Record& r) {
  json j = {{"m", r.mode}, {"u", r.uid},   {"g", r.gid},   {"n", r.nlink},
            {"s", r.size}, {"a", r.atime}, {"t", r.mtime}, {"c", r.ctime},
            {"b", r.btime}};
  if (r.rdev) j["r"] = r.rdev;
  if (S_ISDIR(r.mode)) j["p"] = r.next_pos;
  if (!r.body.empty()) j["l"] = bytes(r.body);
  if (r.xattr_gen) {
    j["xg"] = r.xattr_gen;
    json x = json::object();
    for (const auto& [name, value] : r.xattrs) x[name] = bytes(value);
    j["x"] = std::move(x);
  }
  auto v = json::to_cbor(j);
  return std::string(v.begin(), v.end());
}

Result<Record> decode_record(std::string_view v) {
  try {
    const json j = json::from_cbor(v.begin(), v.end());
    Record r;
    r.mode = j.at("m").get<uint32_t>();
    r.uid = j.at("u").get<uint32_t>();
    r.gid = j.at("g").get<uint32_t>();
    r.nlink = j.at("n").get<uint32_t>();
    r.size = j.at("s").get<uint64_t>();
    r.atime = j.at("a").get<int64_t>();
    r.mtime = j.at("t").get<int64_t>();
    r.ctime = j.at("c").get<int64_t>();
    r.btime = j.at("b").get<int64_t>();
    r.rdev = j.value("r", uint64_t{0});
    r.next_pos = j.value("p", uint64_t{2});
    if (j.contains("l")) r.body = text(j.at("l"));
    r.xattr_gen = j.value("xg", uint64_t{0});
    if (j.contains("x"))
      for (const auto& [name, value] : j.at("x").items()) r.xattrs.emplace_back(name, text(value));
    return r;
  } catch (const json::exception&) {
    return Err{EIO};  // not a record this filesystem wrote
  }
}

std::string encode(const Entry& e) {
  auto v = json::to_cbor(json{{"i", e.ino}, {"t", e.type}, {"p", e.pos}});
  return std::string(v.begin(), v.end());
}

Result<Entry> decode_entry(std::string_view v) {
  try {
    const json j = json::from_cbor(v.begin(), v.end());
    return Entry{j.at("i").get<uint64_t>(), j.at("t").get<unsigned char>(),
                 j.at("p").get<uint64_t>()};
  } catch (const json::exception&) {
    return Err{EIO};
  }
}

std::string encode(const Slot& s) {
  auto v = json::to_cbor(json{{"n", bytes(s.name)}, {"i", s.ino}, {"t", s.type}});
  return std::string(v.begin(), v.end());
}

Result<Slot> decode_slot(std::string_view v) {
  try {
    const json j = json::from_cbor(v.begin(), v.end());
    return Slot{text(j.at("n")), j.at("i").get<uint64_t>(), j.at("t").get<unsigned char>()};
  } catch (const json::exception&) {
    return Err{EIO};
  }
}

uint64_t Layout::position_of(std::string_view key) const { return chunk_index_width(key, 16); }

unsigned char dtype_of(mode_t mode) { return static_cast<unsigned char>((mode & S_IFMT) >> 12); }

}  // namespace rcuvfs::etcdfs
