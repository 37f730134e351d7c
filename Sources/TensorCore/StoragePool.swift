// Reuse of large tensor buffers across training steps.
//
// A training step (distillation, refit, RL updates) allocates the same large buffers every step: logits of
// batch × length × vocab floats, their gradient, every parameter's gradient. glibc serves blocks above its mmap
// threshold with fresh mmap'd pages and returns them to the kernel on free, so each step paid a page fault
// and a page clear for every 4 KiB of them (about a tenth of a distillation step on this project's 2-core
// machine, measured by `perf`; `edgelab bench ecld` with EDGELAB_ECLD_PARTS=kd shows the rate).
//
// The pool keeps freed buffers of at least `minimumCount` floats, keyed by their exact capacity, up to
// `limitBytes` in all, and hands one back when a tensor of that capacity is allocated. A step's shapes repeat,
// so from the second step on its large buffers come from the pool. Contents of a reused buffer are whatever the
// previous owner left: the same contract as `Tensor(uninitialized:)`, whose kernels overwrite every element.
// `poisonReused` fills reused buffers with NaN so a test can prove no kernel reads before writing.
//
// Thread-safe (a world-model job trains on a second thread): one mutex around the free lists; small buffers
// never touch it.
#if canImport(Glibc)
import Glibc
#endif

public enum StoragePool {
  /// Buffers below this many floats (default 256 KiB) go straight to malloc: glibc's heap bins serve them well.
  /// Tests lower it to pool every buffer; change it only while no other thread allocates tensors.
  public static var minimumCount = 1 << 16

  /// Most bytes kept for reuse (default: an eighth of physical memory, at most 4 GiB). Freed buffers that would
  /// exceed it are released to malloc. Setting it drains what is above the new limit.
  public static var limitBytes: Int {
    get { withLock { limit } }
    set { withLock { limit = max(0, newValue); trimLocked(to: limit) } }
  }

  /// Bytes currently held for reuse.
  public static var pooledBytes: Int { withLock { held } }

  /// Allocations served by a kept buffer since the process started.
  public static var reuses: Int { withLock { reuseCount } }

  /// Fill every reused buffer with NaN before handing it out (tests: a kernel that reads before it writes shows
  /// up as a NaN instead of a stale value).
  public static var poisonReused: Bool {
    get { withLock { poison } }
    set { withLock { poison = newValue } }
  }

  /// Release every kept buffer to malloc.
  public static func drain() { withLock { trimLocked(to: 0) } }

  // MARK: internals

  private static var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
  private static var held = 0
  private static var limit = defaultLimit()
  private static var poison = false
  private static var reuseCount = 0
  private static let mutex: UnsafeMutablePointer<pthread_mutex_t> = {
    let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(m, nil)
    return m
  }()

  private static func defaultLimit() -> Int {
    let physical = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    return physical > 0 ? min(4 << 30, physical / 8) : 1 << 30
  }

  private static func withLock<R>(_ body: () -> R) -> R {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body()
  }

  private static func trimLocked(to bytes: Int) {
    while held > bytes, let capacity = free.keys.max() {
      let p = free[capacity]!.removeLast()
      if free[capacity]!.isEmpty { free[capacity] = nil }
      held -= capacity * MemoryLayout<Float>.stride
      p.deallocate()
    }
  }

  /// A buffer of exactly `capacity` floats: a kept one when there is one, else a new allocation.
  static func take(_ capacity: Int) -> UnsafeMutablePointer<Float> {
    if capacity >= minimumCount {
      let (reused, fill) = withLock { () -> (UnsafeMutablePointer<Float>?, Bool) in
        guard var list = free[capacity], let p = list.popLast() else { return (nil, false) }
        free[capacity] = list.isEmpty ? nil : list
        held -= capacity * MemoryLayout<Float>.stride
        reuseCount += 1
        return (p, poison)
      }
      if let reused {
        if fill { reused.initialize(repeating: .nan, count: capacity) }
        return reused
      }
    }
    return .allocate(capacity: Swift.max(capacity, 1))
  }

  /// Give a buffer back: kept when it is large and the limit allows, else released.
  static func give(_ p: UnsafeMutablePointer<Float>, capacity: Int) {
    if capacity >= minimumCount {
      let kept = withLock { () -> Bool in
        let bytes = capacity * MemoryLayout<Float>.stride
        guard held + bytes <= limit else { return false }
        free[capacity, default: []].append(p)
        held += bytes
        return true
      }
      if kept { return }
    }
    p.deallocate()
  }
}
