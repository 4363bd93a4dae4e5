import Foundation
import Testing
@testable import CubeML

/// `ContentionGovernor` on measurements it is given: a budget of one thread while other
/// processes take more than half a core, the configured count again once they stop.
@Suite("Training on shared cores", .serialized)
struct ContentionGovernorTests {
    /// A fake clock: each call advances `wall` by one window and `others` by `load` cores.
    final class Readings: @unchecked Sendable {
        var wall = 0.0, others = 0.0, load = 0.0
        func next() -> (wall: Double, others: Double)? {
            wall += ContentionGovernor.window
            others += load * ContentionGovernor.window
            return (wall, others)
        }
    }

    @Test("other processes' load drops the thread budget to one, and their end restores it")
    func followsTheLoad() {
        let before = BLAS.threads
        defer { BLAS.setThreads(before) }
        BLAS.setThreads(2)
        let readings = Readings()
        var governor = ContentionGovernor(threads: 2, measure: readings.next)
        governor.step()
        #expect(governor.active == 2 && BLAS.threads == 2)  // idle: nothing changes
        readings.load = 1.4  // two busy processes get about 1.4 of the 2 cores
        governor.step()
        #expect(governor.active == 1 && BLAS.threads == 1)
        readings.load = 0.3  // between the marks: stay on one thread
        governor.step()
        #expect(governor.active == 1)
        readings.load = 0.05
        governor.step()
        #expect(governor.active == 2 && BLAS.threads == 2)
        readings.load = 1.4
        governor.step()
        governor.finish()
        #expect(BLAS.threads == 2)  // finish restores the configured count
    }

    @Test("another process's CPU time counts as others'")
    func othersExcludeThisProcess() throws {
        let start = try #require(ContentionGovernor.othersCPUSeconds())
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"]
        try p.run()
        p.waitUntilExit()
        let afterChild = try #require(ContentionGovernor.othersCPUSeconds())
        // The child's loop is CPU time of another process (its own accounting says how much).
        #expect(afterChild - start > 0.05)
    }
}
