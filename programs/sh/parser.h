#pragma once
// The parser: text in, syntax trees (ast.h) out, one complete command at a time, as dash
// reads a script (so that a function defined on one line is there for the next, and a syntax
// error stops the script only where it is). Input that ends inside a construct (an open
// quote, `if` without `fi`, a trailing `&&` or `|`, a here-document without its end) is
// NeedMore, not an error: the interactive loop then asks for another line. Nesting is bounded
// by kMaxNesting, memory by the Arena.

#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "text.h"

namespace stellina::sh {

enum class ParseStatus : uint8_t {
  Ok,        // a command was parsed
  End,       // nothing left but blanks, comments and newlines
  NeedMore,  // the input stops inside a command
  Error,     // a syntax error (message())
};

class Parser {
 public:
  // Parses text from start; the nodes are made in arena and point into text, which must live
  // as long as they do.
  Parser(Arena& arena, StringView text, size_t start = 0, int depth = 0)
      : arena_(arena), text_(text), pos_(start), depth_(depth) {}

  // The text is all there is (a script, not a line typed so far): as dash, a here-document
  // left open at the end takes the rest of the text.
  void set_complete() { complete_ = true; }

  // The next complete command: and-or lists separated by ; or &, up to and including a
  // newline (or the end). On Ok, *out is a List node.
  ParseStatus next(Node** out);
  // The command list of a $(...) starting after the "$(": up to and including its ")". On
  // Ok, *out is a List node or null for $().
  ParseStatus parse_substitution(Node** out);

  // Where the parser is: after what it consumed.
  size_t position() const { return consumed_; }
  // Why parsing failed (Error), or what an incomplete input lacks (NeedMore): the words dash
  // uses, e.g. `Syntax error: "fi" unexpected`.
  StringView message() const { return message_.view(); }

 private:
  enum class TokenType : uint8_t {
    Word,
    Newline,
    End,
    Semi,
    Amp,
    AndIf,
    OrIf,
    Pipe,
    DSemi,
    LParen,
    RParen,
    Redirect,
  };
  struct Token {
    TokenType type = TokenType::End;
    StringView text;
    size_t start = 0;
    size_t end = 0;
    Redirect::Op op = Redirect::Op::Read;
    int fd = 0;
    bool strip_tabs = false;
  };
  static constexpr size_t kFail = static_cast<size_t>(-1);
  static constexpr size_t kMaxPendingHereDocs = 16;

  // The lexer.
  const Token& peek();
  Token take();
  bool is_word(const Token& t, StringView word) const;
  bool is_reserved_terminator(const Token& t) const;
  void lex(Token& t);
  bool read_here_documents();
  size_t scan_word(size_t i);
  size_t scan_single(size_t i);
  size_t scan_double(size_t i);
  size_t scan_backquote(size_t i);
  size_t scan_dollar(size_t i);
  size_t scan_brace(size_t i);
  size_t scan_arithmetic(size_t i);
  size_t scan_substitution(size_t i);

  // The grammar.
  Node* parse_list();
  Node* parse_and_or();
  Node* parse_pipeline();
  Node* parse_command();
  Node* parse_compound(const Token& t);
  Node* parse_simple();
  Node* parse_function(Word* name, size_t start);
  Node* parse_if();
  Node* parse_while();
  Node* parse_for();
  Node* parse_case();
  Node* parse_group(bool subshell);
  bool parse_redirect(Redirect** tail);
  bool parse_trailing_redirects(Node* node);
  void linebreak();
  bool expect(StringView word);
  Word* make_word(const Token& t);
  StringView source_from(size_t start) const;
  bool enter();
  void leave() { --depth_; }

  // Failures.
  bool failed() const { return status_ != ParseStatus::Ok; }
  void unexpected(const Token& t);
  void need_more(StringView what);
  void error(StringView what);
  void no_memory() { error("command too large (its syntax tree past 8 MiB) or out of memory"); }
  template <typename T, typename... Args>
  T* make(Args&&... args) {
    T* node = arena_.make<T>(static_cast<Args&&>(args)...);
    if (!node) no_memory();
    return node;
  }

  Arena& arena_;
  StringView text_;
  size_t pos_;
  size_t consumed_ = 0;
  int depth_;
  bool has_peek_ = false;
  Token peek_;
  ParseStatus status_ = ParseStatus::Ok;
  Message message_;
  Redirect* pending_[kMaxPendingHereDocs] = {};
  size_t pending_count_ = 0;
  bool complete_ = false;
};

// Whether a word of the assignment prefix is one: NAME=...
bool is_assignment(StringView word);

}  // namespace stellina::sh
