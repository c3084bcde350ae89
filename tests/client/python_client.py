"""A Python client of the bulletin.v1 API, as another team would write one.

Generates the stubs from the protos with Debian's protoc and
grpc_python_plugin into a temporary directory, then against the running
services: Submit with a request_id, the same Submit again (a retry, which
must get the first outcome), Get with read-your-writes, and Search.
Prints one line per step; exits non-zero at the first wrong answer.

  python3 python_client.py INGEST_ADDR QUERY_ADDR PROTOC GRPC_PYTHON_PLUGIN \
      PROTO_DIR GOOGLE_PROTOS_DIR

Debian's python3-grpc-tools (1.14) cannot generate them: its bundled
protoc predates proto3 `optional`, which expected_version uses.
"""

import importlib
import subprocess
import sys
import tempfile

import grpc


def generate(out_dir, protoc, plugin, proto_dir, google_dir):
    protos = [f"{proto_dir}/bulletin/v1/{name}.proto"
              for name in ("bulletin", "ingest", "query")]
    protos += [f"{google_dir}/google/api/{name}.proto"
               for name in ("annotations", "http")]
    subprocess.run([protoc, f"-I{proto_dir}", f"-I{google_dir}",
                    f"--python_out={out_dir}", f"--grpc_out={out_dir}",
                    f"--plugin=protoc-gen-grpc={plugin}", *protos],
                   check=True)


def main(ingest_addr, query_addr, protoc, plugin, proto_dir, google_dir):
    with tempfile.TemporaryDirectory() as out_dir:
        generate(out_dir, protoc, plugin, proto_dir, google_dir)
        sys.path.insert(0, out_dir)
        ingest_pb2 = importlib.import_module("bulletin.v1.ingest_pb2")
        ingest_grpc = importlib.import_module("bulletin.v1.ingest_pb2_grpc")
        query_pb2 = importlib.import_module("bulletin.v1.query_pb2")
        query_grpc = importlib.import_module("bulletin.v1.query_pb2_grpc")

    with grpc.insecure_channel(ingest_addr) as ingest_channel, \
            grpc.insecure_channel(query_addr) as query_channel:
        ingest = ingest_grpc.IngestServiceStub(ingest_channel)
        query = query_grpc.QueryServiceStub(query_channel)

        request = ingest_pb2.SubmitRequest(
            content="万州区人大常委会召开会议\n\n近日，万州区人大常委会召开"
                    "主任会议。\n".encode(),
            source="python-client", external_id="py-1",
            request_id="python-request-1", expected_version=0)
        first = ingest.Submit(request, timeout=20)
        print(f"submitted id={first.id} seq={first.seq} "
              f"version={first.version} "
              f"result={ingest_pb2.WriteResult.Name(first.result)}")
        if first.result != ingest_pb2.WRITE_RESULT_CREATED:
            sys.exit("the first submit did not create the bulletin")

        # A retry of the same change: the first outcome, nothing applied,
        # even though expected_version=0 no longer holds.
        again = ingest.Submit(request, timeout=20)
        if (again.seq, again.version) != (first.seq, first.version):
            sys.exit(f"the retry was applied again: seq {again.seq}")
        print("retry answered with the first outcome")

        got = query.Get(query_pb2.GetRequest(id=first.id, min_seq=first.seq),
                        timeout=20)
        print(f"got headline={got.bulletin.headline} "
              f"source={got.bulletin.source}")

        found = query.Search(query_pb2.SearchRequest(query="万州",
                                                     min_seq=first.seq),
                             timeout=20)
        if [hit.bulletin_id for hit in found.hits] != [first.id]:
            sys.exit(f"Search found {found.total_hits} hits, not the one")
        print(f"search total_hits={found.total_hits}")

        try:
            query.Get(query_pb2.GetRequest(id="0000000000000000"), timeout=20)
            sys.exit("Get of an id never submitted succeeded")
        except grpc.RpcError as error:
            print(f"unknown id: {error.code().name}")


if __name__ == "__main__":
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    main(*sys.argv[1:])
