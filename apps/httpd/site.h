#pragma once
// Stellina's site: the routes, the live page and its JSON, the static files.
//
//   /              the home page (HTML): what Stellina is, uptime, memory, the components,
//                  the network counters, the last log lines; it refreshes itself from
//                  /api/status with /static/live.js (and works without it)
//   /api/status    the same data as JSON
//   /api/history   the last minutes, sampled every second, as JSON (history.h);
//                  /api/history/since/T_MS only the samples taken after T_MS
//   /graphs.html   the static file graphs.html: the graphs drawn from /api/history
//   /static/NAME   a file of the site's (/srv/www on the disk, or the boot archive's site/;
//                  Content-Type by extension)
//   /NAME.html     the same as /static/NAME.html: the site's pages (the web terminal's
//                  /terminal.html) at the top
//   /bytes/N       N bytes (N <= kMaxPatternBytes), byte i being i % 251
//   anything else  404
//
// The page and the JSON are generated piece by piece from a pinned Snapshot (see
// status_data.h), so their size is not known in advance (chunked); everything else has a
// Content-Length.

#include <stddef.h>
#include <stdint.h>

#include "apps/httpd/history.h"
#include "apps/httpd/response.h"
#include "apps/httpd/session.h"
#include "apps/httpd/status_data.h"
#include "apps/httpd/writer.h"

namespace httpd {

constexpr uint64_t kMaxPatternBytes = uint64_t{64} << 20;
constexpr size_t kMaxStaticFiles = 16;
constexpr size_t kMaxFileName = 48;
constexpr size_t kLogLines = 20;  // shown on the page

// What the component counts besides the HTTP exchanges; shown under "httpd".
struct ServerCounters {
  SessionCounters http;
  uint64_t accepted = 0;         // connections
  uint64_t refused = 0;          // connections turned away: the table was full of busy ones
  uint64_t evicted_silent = 0;   // closed for a new one: never sent a byte (main.cc, evict)
  uint64_t evicted_idle = 0;     // closed for a new one: keep-alive, between requests
  uint64_t open = 0;             // connections now
  uint64_t idle_closed = 0;      // closed after kIdleTimeout without progress
  uint64_t send_failed = 0;      // connections whose channel failed under a send
  uint64_t answers = 0;          // status answers taken
  uint64_t answers_bad = 0;      // status answers refused (malformed)
  uint64_t answers_dropped = 0;  // status answers dropped: every snapshot was held
};

// Where the static files come from (main.cc: the file server), so the site's files cost
// neither time before the server listens nor memory until a client wants them.
class FileSource {
 public:
  // Called before every request for a site file: lists the files (Site::add_file_on_demand)
  // if that has not been done yet, so the first request for one finds them.
  virtual void list_files() = 0;
  // Reads the site's file `name` and gives its bytes, which the source keeps for good
  // (responses point into them). False if it cannot now (unreadable, no room): the request
  // is answered 503 and the file read again at its next request.
  virtual bool read_file(const char* name, size_t name_size, const uint8_t** data,
                         size_t* size) = 0;

 protected:
  ~FileSource() = default;
};

class Site final : public Responder {
 public:
  explicit Site(ServerCounters* counters) : counters_(counters) {}

  // The monotonic clock, set by the owner before requests are handled.
  void set_now_ms(uint64_t now_ms) { now_ms_ = now_ms; }
  // The boot id (`status: boot_id`), shown on the page and in the JSON: it names the machine's
  // boot, so a client can tell two VMs' answers apart. Taken only if it is 32 hex digits.
  bool set_boot_id(const char* text, size_t size);

  // Takes an answer from a data source: checked, then kept for the next responses. Returns
  // false if it is malformed (*bad_line says where) or had to be dropped (*bad_line 0).
  bool update(Source source, const char* text, size_t size, size_t* bad_line);
  // When each source last answered (0: never).
  uint64_t updated_ms(Source source) const { return updated_ms_[static_cast<size_t>(source)]; }
  // A page or JSON request found the data older than this: the owner should ask again.
  bool take_refresh_wanted() {
    const bool w = refresh_wanted_;
    refresh_wanted_ = false;
    return w;
  }

  // Serves data[0..size) (kept by the caller for good) as /static/name. Errors: false when
  // the table is full, the name is too long or not a plain file name, or it is there already.
  bool add_file(const char* name, size_t name_size, const uint8_t* data, size_t size);
  // Serves /static/name, read through source at its first request (the source must outlive
  // the site). Errors as add_file's.
  bool add_file_on_demand(const char* name, size_t name_size, FileSource* source);
  // Asked to list the files at the first request for one (it must outlive the site).
  void set_file_source(FileSource* source) { source_ = source; }
  size_t file_count() const { return file_count_; }
  // Serves no static file from now on (the data of those served so far stays the caller's:
  // responses in flight may still point into it).
  void clear_files() { file_count_ = 0; }

  // Responder
  void respond(Method method, const char* path, size_t path_size, Response& out) override;
  size_t generate(const Response& response, uint32_t* cursor, char* out, size_t capacity,
                  bool* done) override;
  void release(const Response& response) override;

  const SnapshotPool& snapshots() const { return snapshots_; }
  const History& history() const { return history_; }

  static constexpr uint64_t kFreshMs = 1000;

 private:
  enum class Document : uint8_t { Page, Json, History };
  enum class Piece : uint8_t { Written, SectionEnd };
  struct File {
    char name[kMaxFileName];
    size_t name_size;
    const uint8_t* data;  // null until read, for a file read on demand
    size_t size;
    FileSource* source;  // null: data is given
  };

  bool add(const char* name, size_t name_size, const uint8_t* data, size_t size,
           FileSource* source);
  // The source's files listed, if there is one and it has not yet.
  void list_files() {
    if (source_) source_->list_files();
  }
  // Answers with the file's bytes, read now if they were not yet (503 if they cannot be).
  static void respond_file(File& f, Response& out);

  Piece render(Document doc, const Snapshot& s, uint64_t uptime_ms, uint32_t section, uint32_t item,
               Writer& w) const;
  Piece render_json(const Snapshot& s, uint64_t uptime_ms, uint32_t section, uint32_t item,
                    Writer& w) const;
  Piece render_page(const Snapshot& s, uint64_t uptime_ms, uint32_t section, uint32_t item,
                    Writer& w) const;
  void json_counters(Writer& w) const;
  void page_counters(Writer& w) const;
  // The history's part (site_history.cc): a sample from a `processes` answer, with what the
  // current snapshot and the counters say; the routes /api/history and /graphs.html
  // (false: not one of them).
  void record_sample(const char* processes, size_t size);
  bool respond_history(const char* path, size_t path_size, Response& out);

  ServerCounters* counters_;
  SnapshotPool snapshots_;
  History history_;
  uint64_t now_ms_ = 0;
  char boot_id_[33] = {};  // empty until known
  uint64_t updated_ms_[kSources] = {};
  bool refresh_wanted_ = false;
  File files_[kMaxStaticFiles];
  size_t file_count_ = 0;
  FileSource* source_ = nullptr;
};

// Parses the N of /bytes/N: decimal digits only, at most kMaxPatternBytes.
bool parse_byte_count(const char* text, size_t size, uint64_t* out);

}  // namespace httpd
