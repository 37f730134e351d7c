#ifndef EDGELAB_CLUA_SHIM_H
#define EDGELAB_CLUA_SHIM_H
// Lua 5.4 for Swift. Lua's C API is full of macros and variadics that do not import into Swift; the
// static inline wrappers below give them function form. The trampoline is the one place a Lua error is
// raised on behalf of Swift code: a Swift callback never calls lua_error itself (the longjmp would skip
// Swift cleanups), it pushes a message and returns EDGELAB_LUA_RAISE; the trampoline, a C frame, raises.
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

/// Return value of a Swift callback meaning "the error message is on top of the stack: raise it".
#define EDGELAB_LUA_RAISE (-1)

static inline int edgelab_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int edgelab_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int edgelab_multret(void) { return LUA_MULTRET; }

static inline int edgelab_pcall(lua_State *L, int nargs, int nresults, int msgh) {
  return lua_pcall(L, nargs, nresults, msgh);
}
static inline void edgelab_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void edgelab_newtable(lua_State *L) { lua_newtable(L); }
static inline const char *edgelab_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline lua_Number edgelab_tonumber(lua_State *L, int i) { return lua_tonumber(L, i); }
static inline int edgelab_isnoneornil(lua_State *L, int i) { return lua_isnoneornil(L, i); }
static inline int edgelab_isnil(lua_State *L, int i) { return lua_isnil(L, i); }
static inline int edgelab_istable(lua_State *L, int i) { return lua_istable(L, i); }
static inline int edgelab_isfunction(lua_State *L, int i) { return lua_isfunction(L, i); }
static inline void edgelab_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void edgelab_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void edgelab_replace(lua_State *L, int i) { lua_replace(L, i); }
static inline void *edgelab_newuserdata(lua_State *L, size_t size) { return lua_newuserdatauv(L, size, 1); }
static inline int edgelab_loadbuffer(lua_State *L, const char *buf, size_t size, const char *name) {
  return luaL_loadbufferx(L, buf, size, name, NULL);
}
static inline int edgelab_getmetatable_named(lua_State *L, const char *tname) {
  return luaL_getmetatable(L, tname);
}
static inline void edgelab_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline int edgelab_yieldable(lua_State *L) { return lua_isyieldable(L); }

/// Swift callback signature: returns the number of results, or EDGELAB_LUA_RAISE with a message pushed.
typedef int (*edgelab_swift_fn)(lua_State *L);

/// The C trampoline: upvalue 1 holds the Swift function pointer (light userdata). Any further upvalues
/// belong to the Swift function (it reads them with edgelab_upvalueindex(k + 1)).
static inline int edgelab_trampoline(lua_State *L) {
  edgelab_swift_fn fn = (edgelab_swift_fn)lua_touserdata(L, lua_upvalueindex(1));
  int n = fn(L);
  if (n == EDGELAB_LUA_RAISE) {
    return lua_error(L);   /* a C frame: safe to longjmp from here */
  }
  return n;
}

/// Push `fn` as a Lua C closure through the trampoline, capturing `nup` values from the stack top.
static inline void edgelab_pushswiftclosure(lua_State *L, edgelab_swift_fn fn, int nup) {
  lua_pushlightuserdata(L, (void *)fn);
  if (nup > 0) lua_insert(L, -(nup + 1));
  lua_pushcclosure(L, edgelab_trampoline, nup + 1);
}

/// Message handler for lua_pcall: appends a traceback to string errors (as lua.c's msghandler).
static inline int edgelab_traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/// Where the currently running Lua function was called from, as "chunk:line:" (level 1 = the caller of
/// the running C function). Pushes the string; pushes "" when no line information is available.
static inline void edgelab_where(lua_State *L, int level) { luaL_where(L, level); }

/// The per-state raw memory block (LUA_EXTRASPACE bytes); new threads start with a copy of the main one.
/// EdgeLab stores the owning Swift LuaState there so a callback can find it from any coroutine.
static inline void *edgelab_extraspace(lua_State *L) { return lua_getextraspace(L); }

/// Ctrl-C support (as lua.c does): a signal handler installs this hook with edgelab_request_stop; the next
/// time the interpreter runs Lua code it raises "interrupted!" from this C frame and removes itself.
static inline void edgelab_stop_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}
/// Async-signal-safe (lua_sethook only stores fields): request that running Lua code stop.
static inline void edgelab_request_stop(lua_State *L) {
  lua_sethook(L, edgelab_stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}
/// Withdraw a stop request that never fired (Ctrl-C arrived while Swift code ran and no Lua code followed), so
/// the next chunk a long-lived host (the REPL) runs is not interrupted by a stale request. A debug hook the user
/// set is left alone.
static inline void edgelab_cancel_stop(lua_State *L) {
  if (lua_gethook(L) == edgelab_stop_hook) lua_sethook(L, NULL, 0, 0);
}

#endif
