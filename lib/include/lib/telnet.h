#pragma once
// The server side of the Telnet protocol (RFC 854), as the terminal server speaks it to a
// client such as GNU or BSD telnet, or netcat in telnet mode:
//
//  - TelnetServer parses what the client sends, split anywhere, into data bytes for the
//    session and commands: IAC IAC is a data byte 0xFF; DO, DONT, WILL and WONT are
//    negotiated (below); subnegotiations SB ... IAC SE are gathered in a bounded buffer, and
//    NAWS (RFC 1073) reports the window size; CR NUL and CR LF arrive as a lone CR (what a
//    terminal's Return key sends), a bare LF as LF.
//  - telnet_encode() turns the session's output into the wire form: 0xFF doubled, LF as
//    CR LF, a bare CR as CR NUL.
//
// Negotiation: start() offers WILL ECHO and WILL SUPPRESS-GO-AHEAD (the server echoes and
// sends no GA: the client goes to character mode) and asks DO NAWS. The client's requests
// for anything else are refused (WONT, DONT). Each option keeps its state (RFC 1143's "Q
// method" without the queue): a reply is sent only when a request changes the state, never
// for an acknowledgement or a refusal, so two parties cannot loop.

#include <stddef.h>
#include <stdint.h>

namespace lib {

namespace telnet {

// Commands (RFC 854, page 14): the byte after IAC.
constexpr uint8_t kSe = 240;  // end of subnegotiation
constexpr uint8_t kNop = 241;
constexpr uint8_t kDataMark = 242;
constexpr uint8_t kBreak = 243;
constexpr uint8_t kInterruptProcess = 244;
constexpr uint8_t kAbortOutput = 245;
constexpr uint8_t kAreYouThere = 246;
constexpr uint8_t kEraseCharacter = 247;
constexpr uint8_t kEraseLine = 248;
constexpr uint8_t kGoAhead = 249;
constexpr uint8_t kSb = 250;  // begin subnegotiation
constexpr uint8_t kWill = 251;
constexpr uint8_t kWont = 252;
constexpr uint8_t kDo = 253;
constexpr uint8_t kDont = 254;
constexpr uint8_t kIac = 255;

// Options.
constexpr uint8_t kOptionEcho = 1;             // RFC 857
constexpr uint8_t kOptionSuppressGoAhead = 3;  // RFC 858
constexpr uint8_t kOptionTerminalType = 24;    // RFC 1091
constexpr uint8_t kOptionWindowSize = 31;      // NAWS, RFC 1073
constexpr uint8_t kOptionLinemode = 34;        // RFC 1184

}  // namespace telnet

// What the parser hands on. Calls come in the order of the bytes that caused them.
class TelnetHandler {
 public:
  // Data bytes for the session (commands and escaping removed).
  virtual void telnet_data(const uint8_t* data, size_t size) = 0;
  // Bytes to send to the client: negotiation replies and the opening offer.
  virtual void telnet_send(const uint8_t* data, size_t size) = 0;
  // NAWS: the client's window in characters (0 means the client does not know).
  virtual void telnet_window_size(uint16_t /*columns*/, uint16_t /*rows*/) {}
  // A command other than negotiation, NOP and SE: Interrupt Process (which a terminal server
  // may turn into Ctrl-C), Break, Are You There, Erase Line, ...
  virtual void telnet_command(uint8_t /*command*/) {}

 protected:
  ~TelnetHandler() = default;
};

class TelnetServer {
 public:
  // Longest subnegotiation kept (without IAC SB, option and IAC SE); a longer one is read
  // to its IAC SE and dropped. NAWS needs 4 bytes (8 if every byte is an escaped 0xFF,
  // which the limit counts after unescaping).
  static constexpr size_t kMaxSubnegotiation = 64;

  explicit TelnetServer(TelnetHandler& handler) : handler_(handler) {}

  // Sends the opening offer: IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD, IAC DO NAWS.
  void start();
  // Parses bytes from the client, in pieces of any size.
  void receive(const uint8_t* data, size_t size);

  // Whether the server performs `option` (ECHO, SUPPRESS-GO-AHEAD), or the client does
  // (NAWS, SUPPRESS-GO-AHEAD), as negotiated so far.
  bool local_enabled(uint8_t option) const { return local_[option] == Q::Yes; }
  bool remote_enabled(uint8_t option) const { return remote_[option] == Q::Yes; }
  // Subnegotiations dropped: too long, cut by another command, or not understood.
  uint64_t dropped_subnegotiations() const { return dropped_subnegotiations_; }

 private:
  enum class State : uint8_t { Data, Iac, Verb, SbOption, Sb, SbIac };
  // Per option and side (RFC 1143): off, on, or a request of ours awaiting its answer.
  enum class Q : uint8_t { No, Yes, WantYes, WantNo };

  void command(uint8_t byte);
  void negotiate(uint8_t verb, uint8_t option);
  void subnegotiation_end();
  void send3(uint8_t a, uint8_t b, uint8_t c);
  void emit(uint8_t byte);
  void flush();

  TelnetHandler& handler_;
  State state_ = State::Data;
  bool after_cr_ = false;  // the last data byte was CR: a NUL or LF after it is dropped
  uint8_t verb_ = 0;
  uint8_t sb_option_ = 0;
  bool sb_overflow_ = false;
  size_t sb_size_ = 0;
  uint8_t sb_[kMaxSubnegotiation];
  Q local_[256] = {};
  Q remote_[256] = {};
  uint64_t dropped_subnegotiations_ = 0;
  // Data bytes gathered during one receive(), handed on in runs.
  uint8_t pending_[256];
  size_t pending_size_ = 0;
};

struct TelnetEncoded {
  size_t consumed;  // input bytes taken
  size_t written;   // output bytes produced
};

// Every input byte becomes at most this many output bytes.
constexpr size_t kTelnetMaxExpansion = 2;

// Encodes session output for the wire into out[0..capacity): 0xFF as IAC IAC, LF as CR LF,
// CR LF as is, and a CR followed by anything else (or ending the input) as CR NUL (RFC 854).
// Stops early, at a whole input byte, when out is full; with capacity
// size * kTelnetMaxExpansion it never does.
TelnetEncoded telnet_encode(const uint8_t* in, size_t size, uint8_t* out, size_t capacity);

}  // namespace lib
