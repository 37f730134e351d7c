import CLua
import Foundation
import Lab
import LuaBridge

/// `run:grid(points_or_spec)` and `run:summary()`: the sharding-aware way to iterate a grid
/// (docs/decisions/0300-sharded-runs.md). The slicing, order keys and seeds live in Lab (GridCursor);
/// this file only builds the Lua iterator around them:
///   for point, k in run:grid{ users = {5, 10}, seed = edgelab.range(3) } do ... end
/// yields this process's points (all of them unless it is a shard) with their 1-based index k, reseeding
/// math.random per point and after the grid. The loop's 4th value (a to-be-closed GridLoop) ends the grid
/// when the loop is left early by break or error.
final class GridLoop {
  let run: Run
  let pass: GridPass
  let reseed: LuaFunction
  var next = 0
  init(run: Run, pass: GridPass, reseed: LuaFunction) { self.run = run; self.pass = pass; self.reseed = reseed }

  func leave() throws {
    if let s = run.grids.leave(pass) { try reseed.call(.integer(Int(s))) }
  }
}

extension LabBinding {
  static let gridLoopClass = LuaClass<GridLoop>("edgelab.GridLoop")
    .close { loop, _ in try loop.leave() }

  static func grid(_ call: LuaCall, _ b: LabRunBox) throws -> Int32 {
    let L = call.L
    guard lua_type(L, 2) == LUA_TTABLE else {
      throw call.typeError(2, expected: "table (a grid spec {key = {values...}} or a list of points)")
    }
    guard b.run.status == .running else { throw call.argumentError(1, "the run is already finished") }
    lua_pushnil(L)
    let nonEmpty = lua_next(L, 2) != 0
    if nonEmpty { edgelab_pop(L, 2) }
    let functions = try call.state.run("return require('edgelab').grid, math.randomseed", name: "=run:grid")
    guard functions.count == 2, case .ref(let gridRef) = functions[0], case .ref(let seedRef) = functions[1] else {
      throw LuaBridgeError.message("run:grid: edgelab.grid or math.randomseed is missing")
    }
    if lua_rawlen(L, 2) == 0 && nonEmpty {
      // a grid spec: expand it with edgelab.grid (the one definition of the cartesian order)
      guard let points = try LuaFunction(ref: gridRef).call([try call.value(2)]).first else {
        throw LuaBridgeError.message("run:grid: edgelab.grid returned nothing")
      }
      call.push(points)
    } else {
      lua_pushvalue(L, 2)
    }
    let pointsIndex = lua_gettop(L)
    let loop = GridLoop(run: b.run, pass: b.run.grids.enter(size: Int(lua_rawlen(L, pointsIndex))),
                        reseed: LuaFunction(ref: seedRef))
    lua_pushvalue(L, pointsIndex)   // upvalue 1 of the iterator: the points
    LuaClosure.push(L, name: "grid_iterator", upvalues: 1) { c in
      guard loop.next < loop.pass.indices.count else {
        try loop.leave()
        return 0
      }
      let k = loop.pass.indices[loop.next]
      loop.next += 1
      if let s = loop.run.grids.begin(loop.pass, point: k) { try loop.reseed.call(.integer(Int(s))) }
      lua_checkstack(c.L, 2)
      lua_rawgeti(c.L, c.upvalueIndex(1), lua_Integer(k + 1))
      lua_pushinteger(c.L, lua_Integer(k + 1))
      return 2
    }
    call.pushNil()
    call.pushNil()
    call.push(loop, as: gridLoopClass)
    return 4
  }

  static func roleName(_ role: RunRole) -> String {
    switch role {
    case .whole: return "whole"
    case .shard: return "shard"
    case .plan: return "plan"
    case .collect: return "collect"
    }
  }
}
