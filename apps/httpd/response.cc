#include "apps/httpd/response.h"

#include "apps/httpd/writer.h"

namespace httpd {

const char* reason_phrase(uint16_t status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

size_t write_head(const ResponseHead& head, char* out, size_t capacity) {
  Writer w(out, capacity);
  w.text("HTTP/1.1 ");
  w.number(head.status);
  w.character(' ');
  w.text(reason_phrase(head.status));
  w.text("\r\nServer: Stellina\r\n");
  if (head.content_type) {
    w.text("Content-Type: ");
    w.text(head.content_type);
    w.text("\r\n");
  }
  switch (head.framing) {
    case Framing::Length:
      w.text("Content-Length: ");
      w.number(head.content_length);
      w.text("\r\n");
      break;
    case Framing::Chunked: w.text("Transfer-Encoding: chunked\r\n"); break;
    case Framing::UntilClose: break;
  }
  if (head.allow) w.text("Allow: GET, HEAD\r\n");
  if (head.no_store) w.text("Cache-Control: no-store\r\n");
  if (head.close) {
    w.text("Connection: close\r\n");
  } else if (head.keep_alive) {
    w.text("Connection: keep-alive\r\n");
  }
  w.text("\r\n");
  return w.overflowed() ? 0 : w.size();
}

const char* content_type_for(const char* name, size_t size) {
  size_t dot = size;
  while (dot > 0 && name[dot - 1] != '.' && name[dot - 1] != '/') --dot;
  if (dot == 0 || name[dot - 1] != '.') return "application/octet-stream";
  const char* ext = name + dot;
  const size_t n = size - dot;
  struct Type {
    const char* extension;
    const char* type;
  };
  static constexpr Type kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"json", "application/json"},
      {"txt", "text/plain; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"ico", "image/x-icon"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"wasm", "application/wasm"},
  };
  for (const Type& t : kTypes) {
    if (equals_lower(ext, n, t.extension)) return t.type;
  }
  return "application/octet-stream";
}

}  // namespace httpd
