#include <lib/telnet.h>

namespace lib {

using namespace telnet;

namespace {

// What this server performs itself, and what it lets the client perform.
bool local_supported(uint8_t option) {
  return option == kOptionEcho || option == kOptionSuppressGoAhead;
}
bool remote_supported(uint8_t option) {
  return option == kOptionWindowSize || option == kOptionSuppressGoAhead;
}

}  // namespace

void TelnetServer::start() {
  local_[kOptionEcho] = Q::WantYes;
  local_[kOptionSuppressGoAhead] = Q::WantYes;
  remote_[kOptionWindowSize] = Q::WantYes;
  const uint8_t offer[] = {kIac, kWill, kOptionEcho,      kIac, kWill, kOptionSuppressGoAhead,
                           kIac, kDo,   kOptionWindowSize};
  handler_.telnet_send(offer, sizeof offer);
}

void TelnetServer::emit(uint8_t byte) {
  if (pending_size_ == sizeof pending_) flush();
  pending_[pending_size_++] = byte;
}

void TelnetServer::flush() {
  if (pending_size_ == 0) return;
  handler_.telnet_data(pending_, pending_size_);
  pending_size_ = 0;
}

void TelnetServer::send3(uint8_t a, uint8_t b, uint8_t c) {
  const uint8_t bytes[] = {a, b, c};
  handler_.telnet_send(bytes, sizeof bytes);
}

void TelnetServer::receive(const uint8_t* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    const uint8_t byte = data[i];
    switch (state_) {
      case State::Data:
        if (byte == kIac) {
          state_ = State::Iac;
        } else if (after_cr_ && (byte == 0 || byte == '\n')) {
          after_cr_ = false;  // CR NUL and CR LF both mean the CR already passed on
        } else {
          emit(byte);
          after_cr_ = byte == '\r';
        }
        break;
      case State::Iac: command(byte); break;
      case State::Verb:
        negotiate(verb_, byte);
        state_ = State::Data;
        break;
      case State::SbOption:
        sb_option_ = byte;
        sb_size_ = 0;
        sb_overflow_ = false;
        state_ = State::Sb;
        break;
      case State::Sb:
        if (byte == kIac) {
          state_ = State::SbIac;
        } else if (sb_size_ < kMaxSubnegotiation) {
          sb_[sb_size_++] = byte;
        } else {
          sb_overflow_ = true;
        }
        break;
      case State::SbIac:
        if (byte == kIac) {
          if (sb_size_ < kMaxSubnegotiation) {
            sb_[sb_size_++] = kIac;
          } else {
            sb_overflow_ = true;
          }
          state_ = State::Sb;
        } else if (byte == kSe) {
          subnegotiation_end();
          state_ = State::Data;
        } else {
          // Any other command ends the subnegotiation unfinished: drop it and obey the
          // command, so that a client that never sends SE cannot swallow the session.
          ++dropped_subnegotiations_;
          command(byte);
        }
        break;
    }
  }
  flush();
}

void TelnetServer::command(uint8_t byte) {
  state_ = State::Data;
  switch (byte) {
    case kIac:
      emit(kIac);
      after_cr_ = false;
      return;
    case kWill:
    case kWont:
    case kDo:
    case kDont:
      verb_ = byte;
      state_ = State::Verb;
      return;
    case kSb: state_ = State::SbOption; return;
    case kNop:
    case kSe: return;  // SE outside a subnegotiation means nothing
    default: break;
  }
  if (byte < kSe) return;  // not a command: RFC 854 defines none below SE
  flush();                 // the data before the command reaches the handler first
  handler_.telnet_command(byte);
}

void TelnetServer::negotiate(uint8_t verb, uint8_t option) {
  // RFC 1143, section 7, without the queue bits: this server never changes its mind while
  // a request of its own is pending.
  switch (verb) {
    case kDo:  // the client asks the server to perform option
      switch (local_[option]) {
        case Q::No:
          if (local_supported(option)) {
            local_[option] = Q::Yes;
            send3(kIac, kWill, option);
          } else {
            send3(kIac, kWont, option);
          }
          break;
        case Q::Yes: break;
        case Q::WantNo: local_[option] = Q::No; break;    // a DONT answered with DO
        case Q::WantYes: local_[option] = Q::Yes; break;  // our WILL accepted
      }
      break;
    case kDont:
      switch (local_[option]) {
        case Q::No: break;
        case Q::Yes:
          local_[option] = Q::No;
          send3(kIac, kWont, option);
          break;
        case Q::WantNo:
        case Q::WantYes: local_[option] = Q::No; break;  // an answer: never answer it
      }
      break;
    case kWill:  // the client offers to perform option
      switch (remote_[option]) {
        case Q::No:
          if (remote_supported(option)) {
            remote_[option] = Q::Yes;
            send3(kIac, kDo, option);
          } else {
            send3(kIac, kDont, option);
          }
          break;
        case Q::Yes: break;
        case Q::WantNo: remote_[option] = Q::No; break;
        case Q::WantYes: remote_[option] = Q::Yes; break;
      }
      break;
    case kWont:
      switch (remote_[option]) {
        case Q::No: break;
        case Q::Yes:
          remote_[option] = Q::No;
          send3(kIac, kDont, option);
          break;
        case Q::WantNo:
        case Q::WantYes: remote_[option] = Q::No; break;
      }
      break;
    default: break;
  }
}

void TelnetServer::subnegotiation_end() {
  if (sb_overflow_) {
    ++dropped_subnegotiations_;
    return;
  }
  if (sb_option_ == kOptionWindowSize && sb_size_ == 4) {
    // RFC 1073: width and height, 16 bits each, most significant byte first.
    const auto columns = static_cast<uint16_t>(sb_[0] << 8 | sb_[1]);
    const auto rows = static_cast<uint16_t>(sb_[2] << 8 | sb_[3]);
    flush();
    handler_.telnet_window_size(columns, rows);
    return;
  }
  ++dropped_subnegotiations_;
}

TelnetEncoded telnet_encode(const uint8_t* in, size_t size, uint8_t* out, size_t capacity) {
  size_t i = 0;
  size_t n = 0;
  while (i < size && capacity - n >= 2) {
    const uint8_t byte = in[i++];
    if (byte == kIac) {
      out[n++] = kIac;
      out[n++] = kIac;
    } else if (byte == '\n') {
      out[n++] = '\r';
      out[n++] = '\n';
    } else if (byte == '\r') {
      out[n++] = '\r';
      if (i < size && in[i] == '\n') {
        out[n++] = '\n';
        ++i;
      } else {
        out[n++] = 0;
      }
    } else {
      out[n++] = byte;
    }
  }
  // A last plain byte fits in the last free byte.
  if (i < size && capacity - n == 1 && in[i] != kIac && in[i] != '\n' && in[i] != '\r') {
    out[n++] = in[i++];
  }
  return {i, n};
}

}  // namespace lib
