#include "apps/httpd/site.h"

#include <lib/checked_number.h>

namespace httpd {

namespace {

constexpr char kNotFound[] = "No such page here.\n";
constexpr char kUnreadable[] = "This file cannot be read now: try again.\n";
constexpr char kHtml[] = "text/html; charset=utf-8";
constexpr char kJson[] = "application/json";
constexpr uint32_t kSectionShift = 24;
constexpr uint32_t kItemMask = (uint32_t{1} << kSectionShift) - 1;
constexpr uint32_t kJsonSections = 7;  // see render_json
constexpr uint32_t kPageSections = 8;  // see render_page

// Longest text of each kind a piece holds, so every piece stays under kMinGenerateRoom
// even when every byte needs a 6-byte escape.
constexpr size_t kMaxLogLine = 240;
constexpr size_t kMaxWord = 48;
constexpr size_t kMaxExit = 96;

bool same(const char* a, size_t n, const char* word) {
  size_t i = 0;
  for (; i < n; ++i) {
    if (word[i] != a[i]) return false;
  }
  return word[i] == '\0';
}

bool starts_with(const char* a, size_t n, const char* prefix, size_t* rest) {
  size_t i = 0;
  for (; prefix[i]; ++i) {
    if (i == n || a[i] != prefix[i]) return false;
  }
  *rest = i;
  return true;
}

// A page of the site's files, which is also served at the top: /NAME.html (rest: 1).
bool is_page_file(const char* path, size_t n, size_t* rest) {
  constexpr size_t kSuffix = 5;  // ".html"
  if (n <= 1 + kSuffix || path[0] != '/' || !same(path + n - kSuffix, kSuffix, ".html")) {
    return false;
  }
  for (size_t i = 1; i < n; ++i) {
    if (path[i] == '/') return false;
  }
  *rest = 1;
  return true;
}

// At most max bytes of s, not splitting a UTF-8 sequence.
Span clip(Span s, size_t max) {
  if (s.size <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<uint8_t>(s.data[n]) & 0xc0) == 0x80) --n;
  return {s.data, n};
}

void json_key(Writer& w, const char* key) {
  w.character('"');
  w.text(key);
  w.text("\":");
}

void json_number_field(Writer& w, const char* key, uint64_t value, bool comma = true) {
  if (comma) w.character(',');
  json_key(w, key);
  w.number(value);
}

void json_span(Writer& w, Span s, size_t max) {
  const Span c = clip(s, max);
  w.json_string(c.data, c.size);
}

void html_span(Writer& w, Span s, size_t max) {
  const Span c = clip(s, max);
  w.html_text(c.data, c.size);
}

// 1234567 bytes as "1.1 MiB" (KiB below a MiB).
void write_bytes(Writer& w, uint64_t bytes) {
  const bool mib = bytes >= (uint64_t{1} << 20);
  const uint64_t tenths = mib ? bytes * 10 >> 20 : bytes * 10 >> 10;
  w.number(tenths / 10);
  w.character('.');
  w.number(tenths % 10);
  w.text(mib ? " MiB" : " KiB");
}

void write_uptime(Writer& w, uint64_t ms) {
  const uint64_t s = ms / 1000;
  if (s >= 3600) {
    w.number(s / 3600);
    w.text(" h ");
  }
  if (s >= 60) {
    w.number(s / 60 % 60);
    w.text(" min ");
  }
  w.number(s % 60);
  w.character('.');
  w.number(ms / 100 % 10);
  w.text(" s");
}

}  // namespace

bool parse_byte_count(const char* text, size_t size, uint64_t* out) {
  auto n = lib::parse_decimal(lib::StringView(text, size), kMaxPatternBytes);
  if (!n.ok()) return false;
  *out = n.value();
  return true;
}

bool Site::set_boot_id(const char* text, size_t size) {
  constexpr size_t kDigits = sizeof(boot_id_) - 1;
  if (size != kDigits) return false;
  for (size_t i = 0; i < kDigits; ++i) {
    const char c = text[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  __builtin_memcpy(boot_id_, text, kDigits);
  boot_id_[kDigits] = '\0';
  return true;
}

bool Site::update(Source source, const char* text, size_t size, size_t* bad_line) {
  *bad_line = 0;
  if (size > kSourceCapacity || !check_answer(source, text, size, bad_line)) {
    ++counters_->answers_bad;
    return false;
  }
  if (source == Source::Processes) {
    record_sample(text, size);
  } else if (!snapshots_.update(source, text, size)) {
    ++counters_->answers_dropped;
    return false;
  }
  ++counters_->answers;
  updated_ms_[static_cast<size_t>(source)] = now_ms_;
  return true;
}

bool Site::add_file(const char* name, size_t name_size, const uint8_t* data, size_t size) {
  return add(name, name_size, data, size, nullptr);
}

bool Site::add_file_on_demand(const char* name, size_t name_size, FileSource* source) {
  return source != nullptr && add(name, name_size, nullptr, 0, source);
}

bool Site::add(const char* name, size_t name_size, const uint8_t* data, size_t size,
               FileSource* source) {
  if (file_count_ == kMaxStaticFiles || name_size == 0 || name_size >= kMaxFileName) return false;
  for (size_t i = 0; i < name_size; ++i) {
    const char c = name[i];
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == '_';
    if (!plain) return false;
  }
  if (name[0] == '.') return false;
  for (size_t i = 0; i < file_count_; ++i) {
    if (files_[i].name_size == name_size &&
        __builtin_memcmp(files_[i].name, name, name_size) == 0) {
      return false;
    }
  }
  File& f = files_[file_count_++];
  __builtin_memcpy(f.name, name, name_size);
  f.name_size = name_size;
  f.data = data;
  f.size = size;
  f.source = source;
  return true;
}

void Site::respond_file(File& f, Response& out) {
  if (f.data == nullptr && f.source != nullptr) {
    const uint8_t* data = nullptr;
    size_t size = 0;
    if (!f.source->read_file(f.name, f.name_size, &data, &size)) {
      out.status = 503;
      out.content_type = "text/plain; charset=utf-8";
      out.data = reinterpret_cast<const uint8_t*>(kUnreadable);
      out.size = sizeof(kUnreadable) - 1;
      return;
    }
    f.data = data;
    f.size = size;
  }
  out.content_type = content_type_for(f.name, f.name_size);
  out.data = f.data;
  out.size = f.size;
}

void Site::respond(Method /*method*/, const char* path, size_t path_size, Response& out) {
  out = Response{};
  if (respond_history(path, path_size, out)) return;
  size_t rest = 0;
  const bool page = same(path, path_size, "/");
  if (page || same(path, path_size, "/api/status")) {
    const Document doc = page ? Document::Page : Document::Json;
    out.content_type = page ? kHtml : kJson;
    out.no_store = true;
    out.body = BodyKind::Generated;
    out.context = snapshots_.pin() | static_cast<uint32_t>(doc) << 8;
    out.stamp = now_ms_;
    for (size_t i = 0; i < kTextSources; ++i) {  // what the page and the JSON show
      if (updated_ms_[i] + kFreshMs < now_ms_) refresh_wanted_ = true;
    }
    return;
  }
  if (starts_with(path, path_size, "/static/", &rest) || is_page_file(path, path_size, &rest)) {
    list_files();
    for (size_t i = 0; i < file_count_; ++i) {
      File& f = files_[i];
      if (f.name_size == path_size - rest &&
          __builtin_memcmp(f.name, path + rest, f.name_size) == 0) {
        respond_file(f, out);
        return;
      }
    }
  }
  uint64_t count = 0;
  if (starts_with(path, path_size, "/bytes/", &rest) &&
      parse_byte_count(path + rest, path_size - rest, &count)) {
    out.content_type = "application/octet-stream";
    out.body = BodyKind::Pattern;
    out.size = count;
    return;
  }
  out.status = 404;
  out.content_type = "text/plain; charset=utf-8";
  out.data = reinterpret_cast<const uint8_t*>(kNotFound);
  out.size = sizeof(kNotFound) - 1;
}

void Site::release(const Response& response) {
  if (response.body != BodyKind::Generated) return;
  if (static_cast<Document>(response.context >> 8) == Document::History) return;  // pins nothing
  snapshots_.unpin(response.context & 0xff);
}

size_t Site::generate(const Response& response, uint32_t* cursor, char* out, size_t capacity,
                      bool* done) {
  const auto doc = static_cast<Document>(response.context >> 8);
  if (doc == Document::History) {
    // The range of samples, fixed when the request came: [stamp >> 32, stamp & 0xffffffff).
    return history_.generate(static_cast<uint32_t>(response.stamp >> 32),
                             static_cast<uint32_t>(response.stamp), cursor, out, capacity, done);
  }
  const Snapshot& s = snapshots_.get(response.context & 0xff);
  const uint32_t sections = doc == Document::Json ? kJsonSections : kPageSections;
  size_t n = 0;
  *done = false;
  for (;;) {
    const uint32_t section = *cursor >> kSectionShift;
    const uint32_t item = *cursor & kItemMask;
    if (section >= sections) {
      *done = true;
      return n;
    }
    Writer w(out + n, capacity - n);
    if (render(doc, s, response.stamp, section, item, w) == Piece::SectionEnd) {
      *cursor = (section + 1) << kSectionShift;
      continue;
    }
    if (w.overflowed()) return n;  // the next message takes it
    n += w.size();
    *cursor += 1;
  }
}

Site::Piece Site::render(Document doc, const Snapshot& s, uint64_t uptime_ms, uint32_t section,
                         uint32_t item, Writer& w) const {
  return doc == Document::Json ? render_json(s, uptime_ms, section, item, w)
                               : render_page(s, uptime_ms, section, item, w);
}

// {"uptime_ms":…,"memory":{…},"components":[…],"network":{…},"log":[…],"httpd":{…}}
Site::Piece Site::render_json(const Snapshot& s, uint64_t uptime_ms, uint32_t section,
                              uint32_t item, Writer& w) const {
  switch (section) {
    case 0: {
      if (item > 0) return Piece::SectionEnd;
      w.text("{\"uptime_ms\":");
      w.number(uptime_ms);
      w.text(",\"boot_id\":");
      if (boot_id_[0] != '\0') {
        w.character('"');
        w.text(boot_id_);
        w.character('"');
      } else {
        w.text("null");
      }
      w.text(",\"memory\":{");
      const char* names[] = {"total_bytes", "free_bytes", "kernel_heap_bytes"};
      for (size_t i = 0; i < 3; ++i) {
        if (i > 0) w.character(',');
        json_key(w, names[i]);
        uint64_t v = 0;
        if (s.value(Source::Memory, names[i], &v)) {
          w.number(v);
        } else {
          w.text("null");
        }
      }
      w.text("},\"components\":[");
      return Piece::Written;
    }
    case 1: {
      ComponentLine c;
      if (!s.component(item, &c)) return Piece::SectionEnd;
      if (item > 0) w.character(',');
      w.text("{\"name\":");
      json_span(w, c.name, kMaxWord);
      w.text(",\"state\":");
      json_span(w, c.state, kMaxWord);
      w.text(",\"isolation\":");
      json_span(w, c.isolation, kMaxWord);
      json_number_field(w, "restarts", c.restarts);
      json_number_field(w, "memory_bytes", c.memory_bytes);
      json_number_field(w, "memory_limit_bytes", c.memory_limit_bytes);
      json_number_field(w, "threads", c.threads);
      w.text(",\"last_exit\":");
      json_span(w, c.last_exit, kMaxExit);
      w.character('}');
      return Piece::Written;
    }
    case 2:
      if (item > 0) return Piece::SectionEnd;
      w.text("],\"network\":{");
      return Piece::Written;
    case 3: {
      CounterLine c;
      if (!s.counter(Source::Network, item, &c)) return Piece::SectionEnd;
      if (item > 0) w.character(',');
      json_span(w, c.name, kMaxWord);
      w.character(':');
      w.number(c.value);
      return Piece::Written;
    }
    case 4:
      if (item > 0) return Piece::SectionEnd;
      w.text("},\"log\":[");
      return Piece::Written;
    case 5: {
      Span line;
      if (!s.log_line(item, &line)) return Piece::SectionEnd;
      if (item > 0) w.character(',');
      json_span(w, line, kMaxLogLine);
      return Piece::Written;
    }
    case 6:
      if (item > 0) return Piece::SectionEnd;
      w.text("],\"httpd\":");
      json_counters(w);
      w.text("}\n");
      return Piece::Written;
    default: return Piece::SectionEnd;
  }
}

void Site::json_counters(Writer& w) const {
  const ServerCounters& c = *counters_;
  const SessionCounters& h = c.http;
  w.character('{');
  json_number_field(w, "connections_open", c.open, false);
  json_number_field(w, "connections_accepted", c.accepted);
  json_number_field(w, "connections_refused", c.refused);
  json_number_field(w, "evicted_silent", c.evicted_silent);
  json_number_field(w, "evicted_idle", c.evicted_idle);
  json_number_field(w, "idle_closed", c.idle_closed);
  json_number_field(w, "send_failed", c.send_failed);
  json_number_field(w, "requests", h.requests);
  json_number_field(w, "responses_2xx", h.responses[2]);
  json_number_field(w, "responses_4xx", h.responses[4]);
  json_number_field(w, "responses_5xx", h.responses[5]);
  json_number_field(w, "method_not_allowed", h.method_not_allowed);
  json_number_field(w, "bad_target", h.bad_target);
  json_number_field(w, "incomplete", h.incomplete);
  json_number_field(w, "body_bytes_discarded", h.body_bytes);
  json_number_field(w, "bytes_out", h.bytes_out);
  json_number_field(w, "status_answers", c.answers);
  json_number_field(w, "status_answers_bad", c.answers_bad);
  json_number_field(w, "status_answers_dropped", c.answers_dropped);
  w.text(",\"errors\":{");
  for (size_t i = 1; i < static_cast<size_t>(ParseError::kCount); ++i) {
    json_number_field(w, error_name(static_cast<ParseError>(i)), h.errors[i], i > 1);
  }
  w.text("}}");
}

// The page: the same data as the JSON, laid out for people. The elements with an id are
// the ones /static/live.js fills from /api/status.
Site::Piece Site::render_page(const Snapshot& s, uint64_t uptime_ms, uint32_t section,
                              uint32_t item, Writer& w) const {
  switch (section) {
    case 0:
      if (item > 0) return Piece::SectionEnd;
      w.text(
          "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>Stellina</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
          "<script src=\"/static/live.js\" defer></script>\n"
          "<noscript><meta http-equiv=\"refresh\" content=\"10\"></noscript>\n</head>\n<body>\n"
          "<header>\n<h1>Stellina</h1>\n<p>A general-purpose operating system on a "
          "microkernel, written in freestanding C++20. Drivers, the network stack and this web "
          "server are components: each a simple event loop in its own isolation, reaching only "
          "what its spec grants, supervised and restarted when it fails. This page comes from "
          "<code>httpd</code> over Stellina's own TCP/IP stack.</p>\n<nav><a href=\"/graphs.html\">"
          "Graphs of the last minutes</a>: CPU and memory per component, network traffic, "
          "requests per second.</nav>\n</header>\n<main>\n");
      return Piece::Written;
    case 1: {
      if (item > 0) return Piece::SectionEnd;
      w.text("<section>\n<h2>System</h2>\n<dl>\n<dt>Uptime</dt><dd id=\"uptime\">");
      write_uptime(w, uptime_ms);
      w.text("</dd>\n<dt>Boot id</dt><dd id=\"boot_id\">");
      w.text(boot_id_[0] != '\0' ? boot_id_ : "not known yet");
      w.text("</dd>\n<dt>Memory</dt><dd id=\"memory\">");
      uint64_t total = 0, free = 0, heap = 0;
      if (s.value(Source::Memory, "total_bytes", &total) &&
          s.value(Source::Memory, "free_bytes", &free)) {
        write_bytes(w, free);
        w.text(" free of ");
        write_bytes(w, total);
      } else {
        w.text("not known yet");
      }
      if (s.value(Source::Memory, "kernel_heap_bytes", &heap)) {
        w.text("; kernel heap ");
        write_bytes(w, heap);
      }
      w.text(
          "</dd>\n</dl>\n</section>\n<section>\n<h2>Components</h2>\n<table>\n<thead><tr>"
          "<th>Name</th><th>State</th><th>Isolation</th><th class=\"n\">Restarts</th>"
          "<th class=\"n\">Memory</th><th class=\"n\">Threads</th><th>Last exit</th></tr>"
          "</thead>\n<tbody id=\"components\">\n");
      return Piece::Written;
    }
    case 2: {
      ComponentLine c;
      if (!s.component(item, &c)) {
        if (item > 0) return Piece::SectionEnd;
        w.text("<tr><td colspan=\"7\">No answer from the startup server yet.</td></tr>\n");
        return Piece::Written;
      }
      w.text("<tr><td>");
      html_span(w, c.name, kMaxWord);
      w.text("</td><td class=\"state ");
      html_span(w, c.state, kMaxWord);
      w.text("\">");
      html_span(w, c.state, kMaxWord);
      w.text("</td><td>");
      html_span(w, c.isolation, kMaxWord);
      w.text("</td><td class=\"n\">");
      w.number(c.restarts);
      w.text("</td><td class=\"n\">");
      write_bytes(w, c.memory_bytes);
      w.text(" / ");
      write_bytes(w, c.memory_limit_bytes);
      w.text("</td><td class=\"n\">");
      w.number(c.threads);
      w.text("</td><td>");
      html_span(w, c.last_exit, kMaxExit);
      w.text("</td></tr>\n");
      return Piece::Written;
    }
    case 3:
      if (item > 0) return Piece::SectionEnd;
      w.text(
          "</tbody>\n</table>\n</section>\n<section>\n<h2>Network</h2>\n<table>\n"
          "<tbody id=\"network\">\n");
      return Piece::Written;
    case 4: {
      CounterLine c;
      if (!s.counter(Source::Network, item, &c)) {
        if (item > 0) return Piece::SectionEnd;
        w.text("<tr><td colspan=\"2\">No answer from the network stack yet.</td></tr>\n");
        return Piece::Written;
      }
      w.text("<tr><th>");
      html_span(w, c.name, kMaxWord);
      w.text("</th><td class=\"n\">");
      w.number(c.value);
      w.text("</td></tr>\n");
      return Piece::Written;
    }
    case 5:
      if (item > 0) return Piece::SectionEnd;
      w.text("</tbody>\n</table>\n</section>\n<section>\n<h2>Log</h2>\n<pre id=\"log\">");
      return Piece::Written;
    case 6: {
      Span line;
      if (!s.log_line(item, &line)) return Piece::SectionEnd;
      html_span(w, line, kMaxLogLine);
      w.character('\n');
      return Piece::Written;
    }
    case 7:
      if (item > 0) return Piece::SectionEnd;
      w.text("</pre>\n</section>\n<section>\n<h2>This server</h2>\n<dl id=\"httpd\">\n");
      page_counters(w);
      w.text(
          "</dl>\n</section>\n</main>\n<footer>Stellina &middot; <a href=\"/api/status\">"
          "/api/status</a> &middot; <a href=\"/graphs.html\">graphs</a> &middot; "
          "<a href=\"/api/history\">/api/history</a></footer>\n</body>\n</html>\n");
      return Piece::Written;
    default: return Piece::SectionEnd;
  }
}

void Site::page_counters(Writer& w) const {
  const ServerCounters& c = *counters_;
  const SessionCounters& h = c.http;
  uint64_t errors = 0;
  for (uint64_t e : h.errors) errors += e;
  const struct {
    const char* name;
    uint64_t value;
  } rows[] = {
      {"Connections open", c.open},
      {"Connections accepted", c.accepted},
      {"Requests", h.requests},
      {"Malformed requests", errors + h.bad_target},
      {"Methods refused", h.method_not_allowed},
      {"Bytes sent", h.bytes_out},
  };
  for (const auto& row : rows) {
    w.text("<dt>");
    w.text(row.name);
    w.text("</dt><dd>");
    w.number(row.value);
    w.text("</dd>\n");
  }
}

}  // namespace httpd
