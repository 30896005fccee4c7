# Runs `rcuvfs torture` and checks its exit status and its JSON report.
#   cmake -DTOOL=path/to/rcuvfs -DARGS="torture;--fs;memfs" -DEXPECT=clean|caught|missed|usage
#         [-DSECONDS=S] -P check_torture.cmake
# clean:  exit 0, JSON with violations == 0, escapes == 0, and work done.
# caught: (with --inject) exit 0, JSON with violations > 0 and a time to catch.
# missed: (with --inject, where the bug cannot happen) exit 1, JSON with no violation.
# usage:  exit 2 (bad options).
# RCUVFS_STRESS_SECONDS, when set, replaces SECONDS for clean runs (sanitizer builds).
# @ETCD@ in ARGS stands for the endpoints of ctest's etcd cluster (the first line of the
# file RCUVFS_ETCD_CLUSTER names).
cmake_minimum_required(VERSION 3.25)

set(_args ${ARGS})
if(_args MATCHES "@ETCD@")
  file(STRINGS "$ENV{RCUVFS_ETCD_CLUSTER}" _cluster LIMIT_COUNT 1)
  if(NOT _cluster)
    message(FATAL_ERROR "no etcd cluster in '$ENV{RCUVFS_ETCD_CLUSTER}'")
  endif()
  string(REPLACE "@ETCD@" "${_cluster}" _args "${_args}")
endif()
if(EXPECT STREQUAL "clean")
  if(DEFINED ENV{RCUVFS_STRESS_SECONDS})
    set(SECONDS $ENV{RCUVFS_STRESS_SECONDS})
  endif()
endif()
if(DEFINED SECONDS)
  list(APPEND _args --seconds ${SECONDS})
endif()
if(NOT EXPECT STREQUAL "usage")
  list(APPEND _args --json)
endif()

execute_process(COMMAND ${TOOL} ${_args}
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
message(STATUS "rcuvfs ${_args}: exit ${_rc}\n${_out}")

if(EXPECT STREQUAL "usage")
  if(NOT _rc EQUAL 2)
    message(FATAL_ERROR "expected exit status 2 for bad options, got ${_rc}\n${_err}")
  endif()
  if(_err STREQUAL "")
    message(FATAL_ERROR "no message for bad options")
  endif()
  return()
endif()

if(EXPECT STREQUAL "missed")
  string(JSON _violations GET "${_out}" violations)
  if(NOT _rc EQUAL 1 OR NOT _violations EQUAL 0)
    message(FATAL_ERROR "an injected bug not caught: want exit 1 and no violation, "
                        "got exit ${_rc} and ${_violations}\n${_err}")
  endif()
  return()
endif()
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "exit status ${_rc}\n${_err}")
endif()
string(JSON _violations GET "${_out}" violations)
string(JSON _escapes GET "${_out}" escapes)
string(JSON _stats GET "${_out}" stats)
string(JSON _ops GET "${_out}" ops)
string(JSON _error GET "${_out}" error)
# (A caught injected bug may also have broken a writer's operation afterwards.)
if(NOT _error STREQUAL "null" AND NOT _error STREQUAL "" AND
   NOT (EXPECT STREQUAL "caught" AND _violations GREATER 0))
  message(FATAL_ERROR "the run failed: ${_error}")
endif()
if(EXPECT STREQUAL "clean")
  if(NOT _violations EQUAL 0 OR NOT _escapes EQUAL 0)
    string(JSON _first GET "${_out}" first_violation)
    message(FATAL_ERROR "${_violations} violations, ${_escapes} escapes; first: ${_first}")
  endif()
  if(_stats EQUAL 0 OR _ops EQUAL 0)
    message(FATAL_ERROR "nothing was run: ${_stats} stats, ${_ops} ops")
  endif()
elseif(EXPECT STREQUAL "caught")
  if(_violations EQUAL 0)
    message(FATAL_ERROR "the injected bug was not caught")
  endif()
  string(JSON _after GET "${_out}" caught_after)
  message(STATUS "caught after ${_after} s")
else()
  message(FATAL_ERROR "EXPECT must be clean, caught, missed or usage")
endif()
