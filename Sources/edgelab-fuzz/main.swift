// edgelab-fuzz TARGET [libFuzzer flags and corpus dirs…]   (TARGET: gguf | safetensors | tokenizer | lua-options)
// Built by scripts/fuzz.sh with -sanitize=fuzzer,address and -D EDGELAB_LIBFUZZER: libFuzzer's driver
// (LLVMFuzzerRunDriver) runs the target with coverage feedback. In an ordinary build it replays files
// instead: `edgelab-fuzz TARGET FILE_OR_DIR…` runs every file once (regression check of a corpus).
import FuzzTargets
import Foundation

let args = CommandLine.arguments
guard args.count >= 2, FuzzTargets.names.contains(args[1]) else {
  FileHandle.standardError.write(Data("usage: edgelab-fuzz \(FuzzTargets.names.joined(separator: "|")) [libFuzzer args | files]\n".utf8))
  exit(2)
}
let target = args[1]
nonisolated(unsafe) var selected = target

#if EDGELAB_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

// libFuzzer sees argv without the target name.
var cargs: [UnsafeMutablePointer<CChar>?] = ([args[0]] + args.dropFirst(2)).map { strdup($0) } + [nil]
var argc = Int32(cargs.count - 1)
let rc = cargs.withUnsafeMutableBufferPointer { buf -> Int32 in
  var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buf.baseAddress
  return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTargets.run(selected, bytes)
    return 0
  }
}
exit(rc)
#else
var files: [URL] = []
for a in args.dropFirst(2) {
  var isDir: ObjCBool = false
  guard FileManager.default.fileExists(atPath: a, isDirectory: &isDir) else { continue }
  if isDir.boolValue {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: a)) ?? []
    files += names.sorted().map { URL(fileURLWithPath: a).appendingPathComponent($0) }
  } else {
    files.append(URL(fileURLWithPath: a))
  }
}
for f in files {
  guard let d = try? Data(contentsOf: f) else { continue }
  FuzzTargets.run(target, [UInt8](d))
}
print("\(target): replayed \(files.count) inputs")
#endif
