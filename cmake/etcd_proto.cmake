# etcd's v3 API, generated from the .proto files Debian ships with etcd's sources
# (golang-etcd-server-dev), unmodified, into a static library of its own: the
# generated code takes most of a minute to compile, and is compiled once per build
# directory. It is compiled without sanitizers or fuzzing instrumentation, as the
# gRPC and protobuf libraries it calls are: their buffers are handed to and from
# rcuvfs's code through gRPC's own synchronisation, which the sanitizers cannot see
# either way.
pkg_check_modules(GRPCXX REQUIRED IMPORTED_TARGET grpc++ protobuf)
find_program(PROTOC protoc REQUIRED)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
set(ETCD_GOCODE /usr/share/gocode/src CACHE PATH
    "Where etcd's Go sources are (golang-etcd-server-dev): the .proto files of its API")
set(_protos etcd/etcdserver/etcdserverpb/rpc.proto etcd/mvcc/mvccpb/kv.proto
            etcd/auth/authpb/auth.proto gogoproto/gogo.proto google/api/annotations.proto
            google/api/http.proto)
set(_inc -I ${ETCD_GOCODE}/go.etcd.io -I ${ETCD_GOCODE}/github.com/gogo/protobuf
         -I ${ETCD_GOCODE}/github.com/grpc-ecosystem/grpc-gateway/third_party/googleapis
         -I /usr/include)
set(_gen ${PROJECT_BINARY_DIR}/etcd_proto)
set(_srcs)
set(_inputs)
foreach(_p ${_protos})
  string(REGEX REPLACE "\\.proto$" "" _base ${_p})
  list(APPEND _srcs ${_gen}/${_base}.pb.cc)
  foreach(_root go.etcd.io github.com/gogo/protobuf
                github.com/grpc-ecosystem/grpc-gateway/third_party/googleapis)
    if(EXISTS ${ETCD_GOCODE}/${_root}/${_p})
      list(APPEND _inputs ${ETCD_GOCODE}/${_root}/${_p})
    endif()
  endforeach()
endforeach()
list(APPEND _srcs ${_gen}/etcd/etcdserver/etcdserverpb/rpc.grpc.pb.cc)
if(NOT EXISTS ${ETCD_GOCODE}/go.etcd.io/etcd/etcdserver/etcdserverpb/rpc.proto)
  message(FATAL_ERROR "etcd's .proto files are not in ${ETCD_GOCODE}: "
                      "apt-get install golang-etcd-server-dev (scripts/install-deps.sh)")
endif()
add_custom_command(
  OUTPUT ${_srcs}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${_gen}
  COMMAND ${PROTOC} ${_inc} --cpp_out=${_gen} --grpc_out=${_gen}
          --plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN} ${_protos}
  DEPENDS ${_inputs}
  COMMENT "Generating etcd's v3 API (protoc, grpc_cpp_plugin)"
  VERBATIM)
add_library(rcuvfs_etcd_proto STATIC ${_srcs})
# Generated files define the same file-local names: never batched (CMAKE_UNITY_BUILD).
set_target_properties(rcuvfs_etcd_proto PROPERTIES POSITION_INDEPENDENT_CODE ON UNITY_BUILD OFF)
target_include_directories(rcuvfs_etcd_proto SYSTEM PUBLIC ${_gen})
target_compile_options(rcuvfs_etcd_proto PRIVATE -O1 -g0 -w -fno-sanitize=all)
target_link_libraries(rcuvfs_etcd_proto PUBLIC PkgConfig::GRPCXX)
