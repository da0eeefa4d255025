package dev.depth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.depth.kernel.Kernels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The launcher's compile commands ({@code depth-cli/jvm/compile-commands.txt}) are the ones the JIT's advice gives. */
class LauncherJitCommandsTest {

    @Test
    void theFileHoldsTheAdvicesCompileCommands() throws Exception {
        Path path = Path.of("jvm", "compile-commands.txt");
        // after a change to JitAdvice's lists: mvn test -pl depth-cli -Dtest=LauncherJitCommandsTest -Ddepth.writeCompileCommands=true
        if (Boolean.getBoolean("depth.writeCompileCommands")) Files.writeString(path, Kernels.jitCompileCommands());
        String file = Files.readString(path);
        assertEquals(Kernels.jitCompileCommands(), file, "depth-cli/jvm/compile-commands.txt is out of date with Kernels.jitCompileCommands()");
        assertTrue(file.startsWith("quiet\n"), "quiet first: HotSpot prints each command on standard output otherwise");
    }

    @Test
    void theLauncherPassesTheFile() throws Exception {
        String launcher = Files.readString(Path.of("..", "depth"));
        assertTrue(launcher.contains("-XX:CompileCommandFile=$ROOT/depth-cli/jvm/compile-commands.txt"), "./depth passes the compile commands");
    }
}
