// RCUVFS_TLS_FAST: for the thread-locals every walk touches. librcuvfs is a shared
// library, where a thread-local is normally reached through a __tls_get_addr call;
// with the initial-exec model it is read at a fixed offset from the thread pointer.
// They take a few bytes of the static TLS space glibc keeps for libraries loaded with
// dlopen.
#pragma once

#define RCUVFS_TLS_FAST [[gnu::tls_model("initial-exec")]]
