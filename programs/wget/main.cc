// wget: an http:// URL's body into a file (or stdout), through the stack's tcp: scheme.
// Names resolve as nslookup resolves them; Content-Length, chunked and to-the-close bodies;
// up to kMaxRedirects redirects; a timeout on every wait; progress on stderr unless -q.
// Exit status as GNU wget's: 1 generic, 2 usage, 3 file I/O, 4 network, 7 protocol,
// 8 an HTTP error (4xx, 5xx) or too many redirects.
//   wget [-q] [-O FILE] [-T SECONDS] URL
#include "programs/lib/cmd.h"
#include "programs/lib/net_http.h"
#include "programs/lib/net_io.h"

namespace {

namespace abi = stellina::abi;
using cmd::net::Url;
using cmd::net::UrlStatus;

constexpr const char* kUsage =
    "usage: wget [-q] [-O FILE] [-T SECONDS] URL\n"
    "Download an http:// URL into a file named after it (FILE.1, ... if it exists).\n"
    "  -O FILE     write the body to FILE ('-': standard output)\n"
    "  -q          quiet: no progress on standard error\n"
    "  -T SECONDS  give up a connection that is silent this long (default 60)\n";

constexpr int kMaxRedirects = 5;
constexpr uint64_t kDefaultTimeoutMs = 60'000;
constexpr uint64_t kMaxTimeoutMs = 3600'000;
constexpr size_t kMaxNumberedNames = 1000;  // NAME.1 ... before giving up
constexpr uint64_t kProgressEveryNs = 1'000'000'000;

enum Exit : int64_t {
  kOk = 0,
  kGeneric = 1,
  kUsageError = 2,
  kFileError = 3,
  kNetwork = 4,
  kProtocol = 7,
  kServerError = 8
};

char head[cmd::net::kHttpMaxHead + abi::kMaxMessageData];
char body[abi::kMaxMessageData];
cmd::net::HttpHead parsed;
Url url, next_url;

class Wget {
 public:
  Wget(cmd::Command& c, bool quiet, uint64_t timeout_ms)
      : c_(c), p_(c.env()), quiet_(quiet), timeout_ns_(timeout_ms * 1'000'000) {}

  template <typename... Args>
  void progress(const char* fmt, const Args&... args) {
    if (quiet_) return;
    c_.out().flush();
    stellina::ignore(p_.err().print(fmt, args...), "progress is best effort");
  }

  // One URL, following redirects; writes to output (opened on the first body).
  int64_t get(lib::StringView output) {
    for (int redirects = 0;; ++redirects) {
      int64_t code = 0;
      const bool again = fetch(output, &code);
      if (!again) return code;
      if (redirects + 1 > kMaxRedirects) {
        c_.error("{} redirections exceeded.", kMaxRedirects);
        return kServerError;
      }
      url = next_url;
    }
  }

 private:
  // One request: true with url_next set for a redirect, else false with *code.
  bool fetch(lib::StringView output, int64_t* code) {
    uint8_t address[4];
    uint8_t unused[4];
    if (!cmd::net::parse_ipv4(url.host, unused)) progress("Resolving {}... ", url.host);
    const cmd::net::ResolveError resolved = cmd::net::resolve_host(p_, url.host, address);
    if (resolved != cmd::net::ResolveError::None) {
      progress("failed: {}.\n", resolved == cmd::net::ResolveError::NotFound
                                    ? "Name or service not known"
                                    : "Temporary failure in name resolution");
      c_.error("unable to resolve host address '{}'", url.host);
      *code = kNetwork;
      return false;
    }
    char dotted[16];
    cmd::net::format_ipv4(address, dotted, sizeof(dotted));
    if (!cmd::net::parse_ipv4(url.host, unused)) progress("{}\n", static_cast<const char*>(dotted));
    progress("Connecting to {}|{}|:{}... ", url.host, static_cast<const char*>(dotted), url.port);
    char uri[48];
    lib::format_to(uri, sizeof(uri), "tcp:{}:{}", static_cast<const char*>(dotted), url.port);
    auto opened = p_.open(uri, timeout_ns_);
    if (!opened.ok()) {
      progress("failed: {}.\n", stellina::status_name(opened.error()));
      if (quiet_) c_.error("{}:{}: {}", url.host, url.port, stellina::status_name(opened.error()));
      *code = kNetwork;
      return false;
    }
    const stellina::Channel ch = opened.release_value();
    progress("connected.\n");
    char request[cmd::net::kUrlMaxPath + cmd::net::kUrlMaxHost + 256];
    const size_t n = cmd::net::http_build_request(url, request, sizeof(request));
    // Each Data message at most kMaxMessageData bytes.
    for (size_t at = 0; at < n;) {
      const size_t piece = n - at < abi::kMaxMessageData ? n - at : abi::kMaxMessageData;
      if (!ch.send(stellina::Bytes{request + at, piece}).ok()) {
        c_.error("{}: the connection closed", url.host);
        *code = kNetwork;
        return false;
      }
      at += piece;
    }
    progress("HTTP request sent, awaiting response... ");
    cmd::net::SocketReader reader(ch);
    size_t have = 0, head_size = 0;
    for (;;) {  // the head (again after a 1xx)
      head_size = 0;
      while ((head_size = cmd::net::http_head_end(head, have)) == 0) {
        if (have >= cmd::net::kHttpMaxHead)
          return protocol_error("the response's head is too long", code);
        auto got = reader.read(head + have, cmd::net::kHttpMaxHead - have, deadline());
        if (!got.ok()) return network_error(got.error(), have, code);
        if (got.value() == 0) return protocol_error("no response", code);
        have += got.value();
      }
      if (!cmd::net::http_parse_head(head, head_size, &parsed))
        return protocol_error("malformed status line or header", code);
      if (parsed.status >= 200) break;
      __builtin_memmove(head, head + head_size, have - head_size);  // a 1xx: the next head
      have -= head_size;
    }
    progress("{} {}\n", parsed.status, static_cast<const char*>(parsed.reason));
    if (parsed.status >= 300 && parsed.status < 400 && parsed.has_location) {
      const UrlStatus s = cmd::net::resolve_location(url, parsed.location, &next_url);
      progress("Location: {} [following]\n", static_cast<const char*>(parsed.location));
      if (s == UrlStatus::Ok) return true;
      c_.error("{}: {}", static_cast<const char*>(parsed.location),
               s == UrlStatus::UnsupportedScheme ? "Unsupported scheme." : "Invalid URL.");
      *code = kProtocol;
      return false;
    }
    if (parsed.status >= 300) {
      c_.error("ERROR {}: {}.", parsed.status, static_cast<const char*>(parsed.reason));
      *code = kServerError;
      return false;
    }
    const bool no_body = parsed.status == 204 || parsed.status == 304;
    if (parsed.chunked || no_body || !parsed.has_length) {
      progress("Length: unspecified\n");
    } else {
      progress("Length: {}\n", parsed.length);
    }
    if (!open_output(output)) {
      *code = kFileError;
      return false;
    }
    progress("Saving to: '{}'\n\n", name_);
    // What came after the head is the body's start.
    const lib::StringView start(head + head_size, have - head_size);
    *code = copy_body(reader, start, no_body);
    return false;
  }

  uint64_t deadline() const { return cmd::net::now_ns() + timeout_ns_; }

  bool protocol_error(const char* why, int64_t* code) {
    progress("\n");
    c_.error("{}: {}", url.host, why);
    *code = kProtocol;
    return false;
  }
  bool network_error(stellina::Status why, size_t received, int64_t* code) {
    progress("\n");
    c_.error(
        "{}: {} after {} bytes", url.host,
        why == abi::kErrTimedOut ? "Read error (Connection timed out)" : stellina::status_name(why),
        received);
    *code = kNetwork;
    return false;
  }

  // The output: -O's, else the URL's file name, numbered if taken (as wget does).
  bool open_output(lib::StringView output) {
    if (output == "-") {
      to_stdout_ = true;
      lib::format_to(name_, sizeof(name_), "-");
      return true;
    }
    if (!output.empty()) {
      lib::format_to(name_, sizeof(name_), "{}", output);
    } else {
      const lib::StringView base = cmd::net::url_file_name(url);
      lib::format_to(name_, sizeof(name_), "{}", base);
      for (size_t i = 1; p_.files().stat(name_).ok(); ++i) {
        if (i > kMaxNumberedNames) {
          c_.error("{}: too many numbered copies", base);
          return false;
        }
        lib::format_to(name_, sizeof(name_), "{}.{}", base, i);
      }
    }
    auto f = p_.files().open(name_, abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate);
    if (!f.ok()) {
      c_.error_at(name_, f.error());
      return false;
    }
    file_ = f.release_value();
    return true;
  }

  bool write(const char* data, size_t size) {
    if (size == 0) return true;
    if (to_stdout_) {
      c_.out().write(stellina::Bytes{data, size});
      written_ += size;
      return !c_.out().failed();
    }
    auto w = file_.write(written_, stellina::Bytes{data, size});
    if (!w.ok()) {
      c_.error_at(name_, w.error());
      return false;
    }
    written_ += size;
    return true;
  }

  void report_progress(bool last) {
    const uint64_t now = cmd::net::now_ns();
    if (!last && now - reported_ < kProgressEveryNs) return;
    reported_ = now;
    if (parsed.has_length && !parsed.chunked && parsed.length) {
      progress("{:>12} bytes {:>3}%\n", written_,
               written_ >= parsed.length ? 100 : written_ / (parsed.length / 100 + 1));
    } else {
      progress("{:>12} bytes\n", written_);
    }
  }

  int64_t copy_body(cmd::net::SocketReader& reader, lib::StringView start, bool no_body) {
    const bool chunked = parsed.chunked && !no_body;
    const bool sized = !chunked && parsed.has_length;
    const uint64_t length = no_body ? 0 : parsed.length;
    cmd::net::ChunkedDecoder decoder;
    reported_ = cmd::net::now_ns();
    const char* data = start.data();
    size_t size = start.size();
    for (;;) {
      if (chunked) {
        while (size > 0) {
          size_t used = 0, piece_size = 0;
          const char* piece = nullptr;
          const auto r = decoder.next(data, size, &used, &piece, &piece_size);
          if (!write(piece, piece_size)) return kFileError;
          data += used;
          size -= used;
          if (r == cmd::net::ChunkedDecoder::Result::Malformed)
            return finish_error("malformed chunked body", kProtocol);
          if (r == cmd::net::ChunkedDecoder::Result::Done) return finish();
        }
      } else {
        size_t take = size;
        if ((sized || no_body) && take > length - written_)
          take = static_cast<size_t>(length - written_);
        if (!write(data, take)) return kFileError;
        if ((sized || no_body) && written_ == length) return finish();
      }
      report_progress(false);
      auto got = reader.read(body, sizeof(body), deadline());
      if (!got.ok()) {
        progress("\n");
        c_.error("{}: {} at byte {}", url.host,
                 got.error() == abi::kErrTimedOut ? "Read error (Connection timed out)"
                                                  : stellina::status_name(got.error()),
                 written_);
        return kNetwork;
      }
      if (got.value() == 0) {
        if (sized || chunked) {
          progress("\n");
          c_.error("{}: Connection closed at byte {}", url.host, written_);
          return kNetwork;
        }
        return finish();
      }
      data = body;
      size = got.value();
    }
  }

  int64_t finish_error(const char* why, int64_t code) {
    progress("\n");
    c_.error("{}: {} at byte {}", url.host, why, written_);
    return code;
  }

  int64_t finish() {
    report_progress(true);
    if (!to_stdout_ && file_.valid()) {
      auto synced = file_.sync();
      if (!synced.ok()) {
        c_.error_at(name_, synced.error());
        return kFileError;
      }
    }
    progress("\n'{}' saved [{}]\n\n", static_cast<const char*>(name_), written_);
    return kOk;
  }

  cmd::Command& c_;
  stellina::ProgramEnv& p_;
  bool quiet_;
  uint64_t timeout_ns_;
  bool to_stdout_ = false;
  char name_[abi::kFileMaxPath] = {};
  stellina::File file_;
  uint64_t written_ = 0;
  uint64_t reported_ = 0;
};

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "qO:T:");
  bool quiet = false;
  lib::StringView output;
  uint64_t timeout_ms = kDefaultTimeoutMs;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'q') quiet = true;
    if (opt == 'O') output = o.value();
    if (opt == 'T' &&
        (!cmd::net::parse_seconds(o.value(), kMaxTimeoutMs, &timeout_ms) || timeout_ms == 0)) {
      c.error("-T: invalid time period '{}'", o.value());
      return c.finish(kUsageError);
    }
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() == p.argc()) {
    c.error("missing URL");
    return c.finish(kGeneric);
  }
  if (o.index() + 1 != p.argc()) {
    c.error("one URL at a time");
    return c.finish(kGeneric);
  }
  const lib::StringView text = p.arg(o.index());
  const UrlStatus s = cmd::net::parse_url(text, &url);
  if (s != UrlStatus::Ok) {
    c.error("{}: {}", text,
            s == UrlStatus::UnsupportedScheme ? "Unsupported scheme." : "Invalid URL.");
    return c.finish(kGeneric);
  }
  Wget w(c, quiet, timeout_ms);
  return c.finish(w.get(output));
}
