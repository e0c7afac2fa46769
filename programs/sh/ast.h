#pragma once
// The syntax tree of a command, made by the parser in an Arena. Words keep their source text,
// quotes and all: expansion (expand.cc) reads them again, the same way for a word typed at
// the prompt and one from `eval`. Lists are linked through `next`.

#include <stdint.h>

#include <lib/string_view.h>

namespace stellina::sh {

using lib::StringView;

struct Word {
  StringView text;
  Word* next = nullptr;
};

struct Redirect {
  enum class Op : uint8_t {
    Read,       // N<file (N = 0 when absent)
    Write,      // N>file, N>|file (N = 1)
    Append,     // N>>file
    ReadWrite,  // N<>file
    DupOut,     // N>&M, N>&- (N = 1)
    DupIn,      // N<&M, N<&- (N = 0)
    HereDoc,    // N<<WORD, N<<-WORD: target is the document's text
  };
  Op op = Op::Read;
  int fd = 0;
  StringView target;
  bool here_quoted = false;      // HereDoc: the delimiter was quoted, so no expansion
  bool here_strip_tabs = false;  // HereDoc: <<-, leading tabs are removed from each line
  Redirect* next = nullptr;
};

enum class NodeKind : uint8_t {
  Simple,    // assignments, words, redirections
  Pipeline,  // commands joined by |, maybe negated with !
  AndOr,     // pipelines joined by && and ||, each item's connector saying which
  List,      // and-or lists run in turn (or in the background)
  Subshell,  // ( list )
  Group,     // { list; }
  If,
  While,  // while and until
  For,
  Case,
  Function,  // name() compound-command
};

// How an item of an AndOr list joins the one before it.
enum class Connector : uint8_t { None, And, Or };

struct Node {
  explicit Node(NodeKind k) : kind(k) {}
  NodeKind kind;
  bool background = false;  // an item of a List that ended with &
  Connector connector = Connector::None;
  Redirect* redirects = nullptr;
  StringView source;  // the text the node was parsed from (for jobs and messages)
  Node* next = nullptr;
};

struct SimpleNode : Node {
  SimpleNode() : Node(NodeKind::Simple) {}
  Word* assignments = nullptr;
  Word* words = nullptr;
};

struct PipelineNode : Node {
  PipelineNode() : Node(NodeKind::Pipeline) {}
  bool negate = false;
  Node* commands = nullptr;  // linked by next
};

struct ListNode : Node {  // List, AndOr, Subshell, Group
  using Node::Node;
  Node* items = nullptr;
};

struct IfNode : Node {
  IfNode() : Node(NodeKind::If) {}
  Node* condition = nullptr;
  Node* then_part = nullptr;
  Node* else_part = nullptr;  // another IfNode for elif, a ListNode, or null
};

struct WhileNode : Node {
  WhileNode() : Node(NodeKind::While) {}
  bool until = false;
  Node* condition = nullptr;
  Node* body = nullptr;
};

struct ForNode : Node {
  ForNode() : Node(NodeKind::For) {}
  StringView name;
  bool has_in = false;  // without `in`, the loop runs over "$@"
  Word* words = nullptr;
  Node* body = nullptr;
};

struct CaseItem {
  Word* patterns = nullptr;
  Node* body = nullptr;  // null for an empty item
  CaseItem* next = nullptr;
};

struct CaseNode : Node {
  CaseNode() : Node(NodeKind::Case) {}
  Word* subject = nullptr;
  CaseItem* items = nullptr;
};

struct FunctionNode : Node {
  FunctionNode() : Node(NodeKind::Function) {}
  StringView name;
  Node* body = nullptr;
  StringView body_text;  // kept by the function table, which parses it again
};

}  // namespace stellina::sh
