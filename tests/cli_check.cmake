# One run of the rcuvfs program, checked from outside:
#   cmake -DTOOL=path/to/rcuvfs -DARGS="torture;--seconds;nan" -DSTATUS=2
#         -DSTDERR=REGEX [-DSTDOUT=REGEX] -P cli_check.cmake
# STATUS: the exit status wanted. STDERR, STDOUT: regular expressions the streams must
# match; an absent STDOUT means nothing may be printed there. A refused command line
# (STATUS 2) must say so in a few lines, so standard error is kept short.
cmake_minimum_required(VERSION 3.25)

execute_process(COMMAND ${TOOL} ${ARGS}
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
message(STATUS "rcuvfs ${ARGS}: exit ${_rc}\n--- stdout\n${_out}--- stderr\n${_err}")

if(NOT _rc STREQUAL STATUS)
  message(FATAL_ERROR "want exit status ${STATUS}, got ${_rc}")
endif()
if(DEFINED STDERR AND NOT _err MATCHES "${STDERR}")
  message(FATAL_ERROR "standard error does not match '${STDERR}'")
endif()
if(DEFINED STDOUT)
  if(NOT _out MATCHES "${STDOUT}")
    message(FATAL_ERROR "standard output does not match '${STDOUT}'")
  endif()
elseif(NOT _out STREQUAL "")
  message(FATAL_ERROR "something was printed on standard output")
endif()
string(LENGTH "${_err}" _len)
if(STATUS EQUAL 2 AND _len GREATER 400)
  message(FATAL_ERROR "a message of ${_len} characters for a refused command line")
endif()
