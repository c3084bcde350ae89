// Submits a bulletin with a request id through bulletin::IngestClient,
// repeats the submit as a retry would, then reads it back with Get and
// Search on a bulletin::CreateChannel channel. Prints one line per step;
// exits non-zero at the first call that fails or answers wrongly.
//
//   consumer INGEST_ADDRESS QUERY_ADDRESS

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "bulletin/client.h"
#include "bulletin/v1/query.grpc.pb.h"

namespace {

int Fail(const std::string& step, const grpc::Status& status) {
  std::cerr << step << " failed: " << status.error_code() << " "
            << status.error_message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: consumer INGEST_ADDRESS QUERY_ADDRESS\n";
    return 2;
  }
  bulletin::IngestClient ingest(argv[1]);
  bulletin::v1::SubmitRequest submit;
  submit.set_content(
      "区县政协组织学习会议\n\n连日来，忠县政协召开专题学习会议。\n");
  submit.set_external_id("consumer-1");
  submit.set_source("consumer");
  submit.set_request_id("consumer-request-1");
  bulletin::v1::SubmitResponse first;
  {
    grpc::ClientContext context;
    grpc::Status status = ingest.Submit(&context, submit, &first);
    if (!status.ok()) return Fail("Submit", status);
  }
  std::cout << "submitted id=" << first.id() << " seq=" << first.seq()
            << " version=" << first.version()
            << " result=" << bulletin::v1::WriteResult_Name(first.result())
            << "\n";
  bulletin::v1::SubmitResponse repeated;
  {
    grpc::ClientContext context;
    grpc::Status status = ingest.Submit(&context, submit, &repeated);
    if (!status.ok()) return Fail("repeated Submit", status);
  }
  if (repeated.seq() != first.seq() || repeated.version() != first.version()) {
    std::cerr << "the repeated request id was applied again: seq "
              << repeated.seq() << " version " << repeated.version() << "\n";
    return 1;
  }
  std::cout << "repeat answered with the first outcome\n";

  auto query =
      bulletin::v1::QueryService::NewStub(bulletin::CreateChannel(argv[2]));
  bulletin::v1::GetRequest get;
  get.set_id(first.id());
  get.set_min_seq(first.seq());
  bulletin::v1::GetResponse got;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    grpc::Status status = query->Get(&context, get, &got);
    if (!status.ok()) return Fail("Get", status);
  }
  std::cout << "got headline=" << got.bulletin().headline() << "\n";

  bulletin::v1::SearchRequest search;
  search.set_query("忠县");
  search.set_min_seq(first.seq());
  bulletin::v1::SearchResponse found;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    grpc::Status status = query->Search(&context, search, &found);
    if (!status.ok()) return Fail("Search", status);
  }
  if (found.hits_size() == 0 || found.hits(0).bulletin_id() != first.id()) {
    std::cerr << "Search did not find the bulletin: " << found.total_hits()
              << " hits\n";
    return 1;
  }
  std::cout << "search total_hits=" << found.total_hits() << "\n";
  return 0;
}
