// Libm access without importing Foundation into every numeric file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) func Foundation_log(_ x: Double) -> Double { log(x) }
@inline(__always) func Foundation_exp(_ x: Double) -> Double { exp(x) }
@inline(__always) func Foundation_cos(_ x: Double) -> Double { cos(x) }
