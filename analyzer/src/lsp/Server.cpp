// Server.cpp - the dispatch loop, the analysis thread and the index thread of `cyclops lsp`.
#include "lsp/Server.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "config/RuleDocs.h"
#include "io/OutputFile.h"
#include "lsp/Project.h"
#include "lsp/Protocol.h"
#include "lsp/Transport.h"
#include "output/SourceRoot.h"
#include "rules/RuleIds.h"

#ifndef CYCLOPS_VERSION
#define CYCLOPS_VERSION "unknown"
#endif

namespace cyclops::lsp {

namespace json = llvm::json;

namespace {

constexpr const char IndexToken[] = "cyclops-index";

// An open file, and the generation of its last open or save: a result of an older one is stale.
struct Document {
  std::string Path;
  unsigned Generation = 0;
};

// The lines of the files one publication reads, each file read once.
class LineCache {
 public:
  std::string line(const std::string &File, unsigned Line) {
    auto [It, New] = Files.try_emplace(File);
    if (New) {
      llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> B = llvm::MemoryBuffer::getFile(File);
      if (B) {
        llvm::SmallVector<llvm::StringRef, 0> Lines;
        (*B)->getBuffer().split(Lines, '\n');
        for (llvm::StringRef L : Lines) It->second.push_back(L.rtrim('\r').str());
      }
    }
    return Line >= 1 && Line <= It->second.size() ? It->second[Line - 1] : "";
  }

 private:
  std::map<std::string, std::vector<std::string>> Files;
};

class Server {
 public:
  Server(llvm::raw_ostream &Out, llvm::raw_ostream &LogTo, const ServerOptions &Opts)
      : Writer(Out), Log(LogTo), Options(Opts) {}
  ~Server() { stopThreads(); }

  // Serves until exit or the end of the input.
  int serve(std::FILE *In);

 private:
  // --- messages
  void send(json::Object Message);
  void reply(const json::Value &Id, json::Value Result);
  void replyError(const json::Value &Id, int Code, const llvm::Twine &Message);
  void notify(llvm::StringRef Method, json::Value Params);
  int nextRequestId();
  void request(int Id, llvm::StringRef Method, json::Value Params);
  void log(const llvm::Twine &Line);

  // --- dispatch; returns an exit status once the client has said exit
  std::optional<int> dispatch(const json::Object &Message);
  void onRequest(const json::Value &Id, llvm::StringRef Method, const json::Object *Params);
  void onNotification(llvm::StringRef Method, const json::Object *Params);
  void onResponse(const json::Object &Message);

  // --- requests and notifications
  json::Object initialize(const json::Object *Params);
  void openProject(const json::Object *Params);
  void writeRuleDocs();
  void initialized();
  void didOpenOrSave(const json::Object *Params, bool Open);
  void didClose(const json::Object *Params);
  json::Array codeActions(const json::Object *Params);

  // --- the analysis thread
  void schedule(const std::string &Uri);
  void analysisLoop();
  void publish(const std::string &Uri, const FileAnalysis &A);
  DiagnosticContext diagnosticContext(std::shared_ptr<LineCache> Lines) const;

  // --- the index thread
  void indexProject();
  bool createProgress();
  void progress(json::Object Value);

  void stopThreads();

  MessageWriter Writer;
  llvm::raw_ostream &Log;
  std::mutex LogMutex;
  ServerOptions Options;

  bool Initialized = false, ShuttingDown = false;
  std::string Root;
  PositionEncoding Encoding = PositionEncoding::Utf16;
  bool ClientProgress = false;
  std::string ProjectError;  // why no project could be opened
  std::unique_ptr<Project> P;
  std::map<std::string, std::string> DocHrefs;  // rule id -> file URI of its documentation

  std::mutex Mutex;  // guards what follows
  std::condition_variable Wake;
  std::map<std::string, Document> Documents;       // by URI
  std::deque<std::string> Pending;                 // URIs to analyze, each once
  std::map<std::string, std::vector<Finding>> Published;  // by URI: for code actions
  std::atomic<bool> Stopping{false};
  int NextRequestId = 1;
  std::optional<int> ProgressRequest;  // the id of window/workDoneProgress/create, until answered
  bool ProgressAnswered = false, ProgressAccepted = false;

  std::thread AnalysisThread, IndexThread;
};

// --- messages

void Server::send(json::Object Message) {
  Message["jsonrpc"] = "2.0";
  Writer.write(json::Value(std::move(Message)));
}

void Server::reply(const json::Value &Id, json::Value Result) {
  send(json::Object{{"id", Id}, {"result", std::move(Result)}});
}

void Server::replyError(const json::Value &Id, int Code, const llvm::Twine &Message) {
  log("error " + llvm::Twine(Code) + ": " + Message);
  send(json::Object{{"id", Id}, {"error", json::Object{{"code", Code}, {"message", Message.str()}}}});
}

void Server::notify(llvm::StringRef Method, json::Value Params) {
  send(json::Object{{"method", Method}, {"params", std::move(Params)}});
}

int Server::nextRequestId() {
  std::lock_guard<std::mutex> Lock(Mutex);
  return NextRequestId++;
}

void Server::request(int Id, llvm::StringRef Method, json::Value Params) {
  send(json::Object{{"id", Id}, {"method", Method}, {"params", std::move(Params)}});
}

void Server::log(const llvm::Twine &Line) {
  std::lock_guard<std::mutex> Lock(LogMutex);
  Log << "cyclops lsp: " << Line << "\n";
  Log.flush();
}

// --- the loop and dispatch

int Server::serve(std::FILE *In) {
  MessageReader Reader(In);
  while (true) {
    Incoming M = Reader.next();
    if (M.What == Incoming::End) {
      log("the input ended" + llvm::Twine(ShuttingDown ? "" : " without shutdown and exit"));
      return ShuttingDown ? 0 : 1;
    }
    if (M.What == Incoming::Malformed) {
      replyError(nullptr, errc::ParseError, "malformed message: " + M.Error);
      continue;
    }
    llvm::Expected<json::Value> V = json::parse(M.Body);
    if (!V) {
      replyError(nullptr, errc::ParseError, "not JSON: " + llvm::toString(V.takeError()));
      continue;
    }
    const json::Object *Message = V->getAsObject();
    if (!Message) {
      replyError(nullptr, errc::InvalidRequest, "a message must be a JSON object");
      continue;
    }
    if (std::optional<int> Exit = dispatch(*Message)) return *Exit;
  }
}

std::optional<int> Server::dispatch(const json::Object &Message) {
  std::optional<llvm::StringRef> Method = Message.getString("method");
  const json::Value *Id = Message.get("id");
  const json::Object *Params = Message.getObject("params");
  if (!Method) {
    if (Id && (Message.get("result") || Message.get("error"))) onResponse(Message);
    else replyError(Id ? *Id : json::Value(nullptr), errc::InvalidRequest, "a message without a method");
    return std::nullopt;
  }
  const json::Value *RawParams = Message.get("params");
  if (RawParams && !Params && !Message.getArray("params") && RawParams->kind() != json::Value::Null) {
    if (Id) replyError(*Id, errc::InvalidParams, "params must be an object, an array or null");
    return std::nullopt;
  }
  if (*Method == "exit") return ShuttingDown ? 0 : 1;
  if (Id) onRequest(*Id, *Method, Params);
  else onNotification(*Method, Params);
  return std::nullopt;
}

void Server::onRequest(const json::Value &Id, llvm::StringRef Method, const json::Object *Params) {
  if (Method == "initialize") {
    if (Initialized) return replyError(Id, errc::InvalidRequest, "initialize was already received");
    return reply(Id, initialize(Params));
  }
  if (!Initialized) return replyError(Id, errc::ServerNotInitialized, "the first request must be initialize");
  if (ShuttingDown) return replyError(Id, errc::InvalidRequest, "the server is shutting down");
  if (Method == "shutdown") {
    ShuttingDown = true;
    stopThreads();
    return reply(Id, nullptr);
  }
  if (Method == "textDocument/codeAction") return reply(Id, codeActions(Params));
  replyError(Id, errc::MethodNotFound, "method not supported: " + Method);
}

void Server::onNotification(llvm::StringRef Method, const json::Object *Params) {
  if (!Initialized || ShuttingDown) return;  // the spec: notifications before initialize are dropped
  if (Method == "initialized") initialized();
  else if (Method == "textDocument/didOpen") didOpenOrSave(Params, /*Open=*/true);
  else if (Method == "textDocument/didSave") didOpenOrSave(Params, /*Open=*/false);
  else if (Method == "textDocument/didClose") didClose(Params);
}

void Server::onResponse(const json::Object &Message) {
  std::optional<int64_t> Id = Message.getInteger("id");
  std::lock_guard<std::mutex> Lock(Mutex);
  if (!Id || !ProgressRequest || *Id != *ProgressRequest) return;
  ProgressAnswered = true;
  ProgressAccepted = Message.get("error") == nullptr;
  Wake.notify_all();
}

// --- initialize

json::Object Server::initialize(const json::Object *Params) {
  Initialized = true;
  const json::Object *Caps = Params ? Params->getObject("capabilities") : nullptr;
  if (const json::Object *General = Caps ? Caps->getObject("general") : nullptr)
    if (const json::Array *Encodings = General->getArray("positionEncodings"))
      for (const json::Value &E : *Encodings)
        if (E.getAsString() == llvm::StringRef("utf-8")) Encoding = PositionEncoding::Utf8;
  if (const json::Object *Window = Caps ? Caps->getObject("window") : nullptr)
    ClientProgress = Window->getBoolean("workDoneProgress").value_or(false);
  openProject(Params);
  json::Object Capabilities{
      {"positionEncoding", Encoding == PositionEncoding::Utf8 ? "utf-8" : "utf-16"},
      {"textDocumentSync", json::Object{{"openClose", true}, {"change", 0}, {"save", json::Object{}}}},
      {"codeActionProvider", json::Object{{"codeActionKinds", json::Array{"quickfix"}}}}};
  return json::Object{{"capabilities", std::move(Capabilities)},
                      {"serverInfo", json::Object{{"name", "cyclops"}, {"version", CYCLOPS_VERSION}}}};
}

// The workspace root: rootUri, else the first workspace folder, else rootPath, else the
// current directory.
std::string workspaceRoot(const json::Object *Params) {
  std::optional<llvm::StringRef> Uri = Params ? Params->getString("rootUri") : std::nullopt;
  if (!Uri && Params)
    if (const json::Array *Folders = Params->getArray("workspaceFolders"))
      if (!Folders->empty() && (*Folders)[0].getAsObject()) Uri = (*Folders)[0].getAsObject()->getString("uri");
  if (Uri) {
    if (llvm::Expected<std::string> Path = uriToPath(*Uri)) return *Path;
    else llvm::consumeError(Path.takeError());
  }
  if (std::optional<llvm::StringRef> Path = Params ? Params->getString("rootPath") : std::nullopt)
    return Path->str();
  llvm::SmallString<256> Cwd;
  llvm::sys::fs::current_path(Cwd);
  return std::string(Cwd);
}

void Server::openProject(const json::Object *Params) {
  ProjectSettings S{Options.CompileCommandsDir, Options.RulesFile, workspaceRoot(Params), Options.ResourceDir,
                    Options.Jobs};
  Root = S.Root;
  if (const json::Object *Init = Params ? Params->getObject("initializationOptions") : nullptr) {
    if (S.CompileCommandsDir.empty()) S.CompileCommandsDir = Init->getString("compileCommandsDir").value_or("").str();
    if (S.RulesFile.empty()) S.RulesFile = Init->getString("rules").value_or("").str();
  }
  llvm::Expected<std::unique_ptr<Project>> Opened = Project::open(S);
  if (!Opened) {
    ProjectError = llvm::toString(Opened.takeError());
    log("no project: " + ProjectError);
    return;
  }
  P = std::move(*Opened);
  log("project: '" + P->buildDir() + "/compile_commands.json', " + llvm::Twine(P->listedFiles()) +
      " files; cache '" + P->cacheDir() + "'");
  writeRuleDocs();
}

// Each rule's documentation beside the cache, for codeDescription.href; a file that cannot be
// written means no link, not an error.
void Server::writeRuleDocs() {
  for (llvm::StringRef Id : ruleid::All) {
    llvm::StringRef Doc = ruleDoc(Id);
    if (Doc.empty()) continue;
    llvm::SmallString<256> Path(P->cacheDir());
    llvm::sys::path::append(Path, "rule-docs", Id + ".md");
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> Old = llvm::MemoryBuffer::getFile(Path);
    if (!Old || (*Old)->getBuffer() != Doc) {
      std::error_code Dir = llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path));
      llvm::Error Written = Dir ? llvm::createStringError(Dir, Dir.message())
                                : writeOutputFile(Path, NonRegularFile::Refuse,
                                                  [&](llvm::raw_ostream &OS) { OS << Doc; });
      if (Written) {
        log("no documentation link for " + Id + ": " + llvm::toString(std::move(Written)));
        continue;
      }
    }
    DocHrefs[Id.str()] = fileUri(Path);
  }
}

void Server::initialized() {
  if (!P) {
    notify("window/showMessage",
           json::Object{{"type", 1}, {"message", "cyclops: nothing will be analyzed: " + ProjectError}});
    return;
  }
  AnalysisThread = std::thread([this] { analysisLoop(); });
  IndexThread = std::thread([this] { indexProject(); });
}

// --- documents

void Server::didOpenOrSave(const json::Object *Params, bool Open) {
  const json::Object *Doc = Params ? Params->getObject("textDocument") : nullptr;
  std::optional<llvm::StringRef> Uri = Doc ? Doc->getString("uri") : std::nullopt;
  if (!Uri) return log("didOpen/didSave without textDocument.uri: ignored");
  llvm::Expected<std::string> Path = uriToPath(*Uri);
  if (!Path) return log(llvm::toString(Path.takeError()) + ": ignored");
  // A client that attaches to every buffer: only the languages clang compiles are analyzed.
  llvm::StringRef Language = Doc->getString("languageId").value_or("cpp");
  if (Open && !llvm::is_contained({"c", "cpp", "objective-c", "objective-cpp", "cuda"}, Language))
    return log("'" + *Uri + "': language '" + Language + "' is not analyzed");
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    if (!Open && !Documents.count(Uri->str())) return;  // saved, but not open here
    Documents[Uri->str()].Path = *Path;
  }
  if (P) schedule(Uri->str());
}

void Server::didClose(const json::Object *Params) {
  const json::Object *Doc = Params ? Params->getObject("textDocument") : nullptr;
  std::optional<llvm::StringRef> Uri = Doc ? Doc->getString("uri") : std::nullopt;
  if (!Uri) return;
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    Documents.erase(Uri->str());
    Published.erase(Uri->str());
  }
  notify("textDocument/publishDiagnostics", json::Object{{"uri", *Uri}, {"diagnostics", json::Array{}}});
}

// Whether two LSP ranges share a position (touching counts, as a cursor on a range's end).
bool meets(const json::Object &A, const json::Object &B) {
  auto Key = [](const json::Object *Pos) {
    if (!Pos) return std::pair<int64_t, int64_t>(-1, -1);
    return std::pair(Pos->getInteger("line").value_or(-1), Pos->getInteger("character").value_or(-1));
  };
  return !(Key(A.getObject("end")) < Key(B.getObject("start")) ||
           Key(B.getObject("end")) < Key(A.getObject("start")));
}

json::Array Server::codeActions(const json::Object *Params) {
  json::Array Actions;
  const json::Object *Doc = Params ? Params->getObject("textDocument") : nullptr;
  std::optional<llvm::StringRef> Uri = Doc ? Doc->getString("uri") : std::nullopt;
  const json::Object *Range = Params ? Params->getObject("range") : nullptr;
  if (!Uri || !Range) return Actions;
  std::vector<Finding> Findings;
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    auto It = Published.find(Uri->str());
    if (It != Published.end()) Findings = It->second;
  }
  DiagnosticContext C = diagnosticContext(std::make_shared<LineCache>());
  for (const Finding &F : Findings) {
    json::Object D = toDiagnostic(C, F);
    if (!meets(*D.getObject("range"), *Range)) continue;
    if (std::optional<json::Object> A = toCodeAction(C, F, std::move(D))) Actions.push_back(std::move(*A));
  }
  return Actions;
}

// --- the analysis thread

void Server::schedule(const std::string &Uri) {
  std::lock_guard<std::mutex> Lock(Mutex);
  auto It = Documents.find(Uri);
  if (It == Documents.end()) return;
  ++It->second.Generation;
  if (std::find(Pending.begin(), Pending.end(), Uri) == Pending.end()) Pending.push_back(Uri);
  Wake.notify_all();
}

void Server::analysisLoop() {
  while (true) {
    std::string Uri;
    Document Doc;
    {
      std::unique_lock<std::mutex> Lock(Mutex);
      Wake.wait(Lock, [&] { return Stopping || !Pending.empty(); });
      if (Stopping) return;
      Uri = Pending.front();
      Pending.pop_front();
      auto It = Documents.find(Uri);
      if (It == Documents.end()) continue;
      Doc = It->second;
    }
    FileAnalysis A = P->analyze(Doc.Path);
    for (const std::string &R : A.Remarks) log(R);
    {
      std::lock_guard<std::mutex> Lock(Mutex);
      auto It = Documents.find(Uri);
      // Closed, or opened or saved again since: a newer run is pending; drop this one.
      if (Stopping || It == Documents.end() || It->second.Generation != Doc.Generation) continue;
      Published[Uri] = A.Findings;
    }
    publish(Uri, A);
  }
}

DiagnosticContext Server::diagnosticContext(std::shared_ptr<LineCache> Lines) const {
  DiagnosticContext C;
  C.Encoding = Encoding;
  C.Lines = [Lines](const std::string &File, unsigned Line) { return Lines->line(File, Line); };
  C.DocHref = [this](llvm::StringRef Rule) {
    auto It = DocHrefs.find(Rule.str());
    return It == DocHrefs.end() ? std::string() : It->second;
  };
  return C;
}

void Server::publish(const std::string &Uri, const FileAnalysis &A) {
  json::Array Diagnostics;
  if (A.Failure) Diagnostics.push_back(failureDiagnostic(*A.Failure));
  DiagnosticContext C = diagnosticContext(std::make_shared<LineCache>());
  for (const Finding &F : A.Findings) Diagnostics.push_back(toDiagnostic(C, F));
  log("'" + Uri + "': " + llvm::Twine(A.Findings.size()) + " findings" + (A.Failure ? ", does not compile" : ""));
  notify("textDocument/publishDiagnostics", json::Object{{"uri", Uri}, {"diagnostics", std::move(Diagnostics)}});
}

// --- the index thread

// Asks the client for a progress token; true once it accepted (waits up to 10 s).
bool Server::createProgress() {
  if (!ClientProgress) return false;
  // The id is recorded before the request goes out: the answer may come at once.
  const int Id = nextRequestId();
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    ProgressRequest = Id;
  }
  request(Id, "window/workDoneProgress/create", json::Object{{"token", IndexToken}});
  std::unique_lock<std::mutex> Lock(Mutex);
  Wake.wait_for(Lock, std::chrono::seconds(10), [&] { return Stopping || ProgressAnswered; });
  return ProgressAnswered && ProgressAccepted;
}

void Server::progress(json::Object Value) {
  notify("$/progress", json::Object{{"token", IndexToken}, {"value", std::move(Value)}});
}

void Server::indexProject() {
  const unsigned Total = static_cast<unsigned>(P->listedFiles());
  const bool Progress = createProgress();
  if (Progress)
    progress(json::Object{{"kind", "begin"},
                          {"title", "cyclops: indexing"},
                          {"message", "0/" + std::to_string(Total) + " files"},
                          {"percentage", 0},
                          {"cancellable", false}});
  std::mutex ReportMutex;
  unsigned LastPercent = 0;
  P->index(
      [&](unsigned Done, unsigned All) {
        if (!Progress) return;
        std::lock_guard<std::mutex> Lock(ReportMutex);
        unsigned Percent = All ? Done * 100 / All : 100;
        if (Percent == LastPercent && Done != All) return;
        LastPercent = Percent;
        progress(json::Object{{"kind", "report"},
                              {"message", std::to_string(Done) + "/" + std::to_string(All) + " files"},
                              {"percentage", Percent}});
      },
      Stopping);
  if (Stopping) return;
  if (Progress) progress(json::Object{{"kind", "end"}, {"message", std::to_string(Total) + " files indexed"}});
  log("indexed " + llvm::Twine(Total) + " files");
  // The open files, now with the facts of the whole project.
  std::vector<std::string> Open;
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    for (const auto &[Uri, D] : Documents) Open.push_back(Uri);
  }
  for (const std::string &Uri : Open) schedule(Uri);
}

void Server::stopThreads() {
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    Stopping = true;
    Wake.notify_all();
  }
  if (AnalysisThread.joinable()) AnalysisThread.join();
  if (IndexThread.joinable()) IndexThread.join();
}

}  // namespace

int runServer(std::FILE *In, llvm::raw_ostream &Out, llvm::raw_ostream &Log, const ServerOptions &Options) {
  Server S(Out, Log, Options);
  return S.serve(In);
}

}  // namespace cyclops::lsp
