// The site's history: samples taken from the `processes` answers, served as /api/history,
// and the page that draws them (/graphs.html, a static file).
#include "apps/httpd/site.h"

#include <lib/checked_number.h>

namespace httpd {

namespace {

constexpr char kJson[] = "application/json";
constexpr char kHistory[] = "/api/history";
constexpr char kSince[] = "/api/history/since/";
constexpr char kGraphs[] = "graphs.html";

bool same(const char* a, size_t n, const char* word) {
  const size_t size = __builtin_strlen(word);
  return n == size && __builtin_memcmp(a, word, n) == 0;
}

// A decimal number, the whole of s, that fits in 64 bits.
bool parse_decimal(const char* s, size_t n, uint64_t* out) {
  auto v = lib::parse_decimal(lib::StringView(s, n));
  if (!v.ok()) return false;
  *out = v.value();
  return true;
}

}  // namespace

void Site::record_sample(const char* processes, size_t size) {
  const Snapshot& s = snapshots_.current();
  Readings r;
  r.t_ms = now_ms_;
  r.has_network = s.has(Source::Network) && s.value(Source::Network, "bytes.in", &r.bytes_in) &&
                  s.value(Source::Network, "bytes.out", &r.bytes_out) &&
                  s.value(Source::Network, "frames.in", &r.packets_in) &&
                  s.value(Source::Network, "frames.out", &r.packets_out);
  r.requests = counters_->http.requests;
  r.has_memory = s.has(Source::Memory) &&
                 s.value(Source::Memory, "total_bytes", &r.memory_total_bytes) &&
                 s.value(Source::Memory, "free_bytes", &r.memory_free_bytes);
  history_.record(r, processes, size);
}

bool Site::respond_history(const char* path, size_t path_size, Response& out) {
  if (same(path, path_size, "/graphs.html")) {
    list_files();
    for (size_t i = 0; i < file_count_; ++i) {
      File& f = files_[i];
      if (same(f.name, f.name_size, kGraphs)) {
        respond_file(f, out);
        return true;
      }
    }
    return false;  // not among the site's files: 404
  }
  uint32_t begin = 0;
  const size_t since = sizeof(kSince) - 1;
  if (same(path, path_size, kHistory)) {
    begin = history_.window_begin();
  } else if (path_size > since && __builtin_memcmp(path, kSince, since) == 0) {
    uint64_t t_ms = 0;
    if (!parse_decimal(path + since, path_size - since, &t_ms)) return false;
    begin = history_.first_after(t_ms);
  } else {
    return false;
  }
  out.content_type = kJson;
  out.no_store = true;
  out.body = BodyKind::Generated;
  out.context = static_cast<uint32_t>(Document::History) << 8;
  out.stamp = uint64_t{begin} << 32 | history_.end();
  return true;
}

}  // namespace httpd
