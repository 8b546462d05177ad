package io.github.a6sdk.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.github.a6sdk.processor.TestSupport.source;

import com.google.testing.compile.Compilation;
import io.github.a6sdk.api.spi.ConfigReaders;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Scans the constant pools of the generated class files (and of {@link ConfigReaders}, which they
 * call) for reflection, dynamic class loading and method handles.
 */
class NoReflectionTest {

    /** Constant-pool text that must not appear in generated code. */
    private static final List<String> FORBIDDEN = List.of(
            "java/lang/reflect", "forName", "getDeclared", "setAccessible", "MethodHandles",
            "getRecordComponents", "newInstance", "com/google/gson/Gson", "TypeToken", "valueOf");

    /** The helper is compiled by javac with indy string concatenation, whose bootstrap names MethodHandles$Lookup. */
    private static final List<String> FORBIDDEN_IN_HELPER = List.of(
            "java/lang/reflect", "forName", "getDeclared", "setAccessible", "getRecordComponents", "newInstance",
            "com/google/gson/Gson;", "TypeToken", "fromJson");

    @Test
    void generatedClassesUseNoReflection() {
        Compilation compilation = TestSupport.compile(source("test.All", GeneratedParserTest.ALL), ProcessorTest.SAY);
        assertThat(compilation).succeeded();
        int scanned = 0;
        for (JavaFileObject file : compilation.generatedFiles()) {
            String name = file.toUri().getPath();
            if (file.getKind() != JavaFileObject.Kind.CLASS
                    || !(name.endsWith("_Descriptor.class") || name.endsWith("_Registry.class"))) {
                continue;
            }
            scanned++;
            List<String> strings = constantPoolStrings(TestSupport.bytes(file));
            if (name.endsWith("_Descriptor.class")) {
                assertThat(strings).contains("com/google/gson/stream/JsonReader");
            }
            for (String string : strings) {
                for (String forbidden : FORBIDDEN) {
                    assertThat(string).doesNotContain(forbidden);
                }
                if (string.startsWith("java/") || string.startsWith("com/")) {
                    assertThat(string).matches("(java/lang|java/util|java/io|com/google/gson/stream)/.*");
                }
            }
        }
        assertThat(scanned).isEqualTo(3);
    }

    @Test
    void helperUsesNoReflection() throws IOException {
        try (InputStream in = ConfigReaders.class.getResourceAsStream("ConfigReaders.class")) {
            for (String string : constantPoolStrings(in.readAllBytes())) {
                for (String forbidden : FORBIDDEN_IN_HELPER) {
                    assertThat(string).doesNotContain(forbidden);
                }
            }
        }
    }

    /** The UTF-8 entries of a class file's constant pool (JVMS 4.4). */
    static List<String> constantPoolStrings(byte[] classFile) {
        List<String> strings = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new AssertionError("not a class file");
            }
            in.readUnsignedShort(); // minor
            in.readUnsignedShort(); // major
            int count = in.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1: // Utf8
                        strings.add(in.readUTF());
                        break;
                    case 7: // Class
                    case 8: // String
                    case 16: // MethodType
                    case 19: // Module
                    case 20: // Package
                        in.skipBytes(2);
                        break;
                    case 15: // MethodHandle
                        in.skipBytes(3);
                        break;
                    case 3: // Integer
                    case 4: // Float
                    case 9: // Fieldref
                    case 10: // Methodref
                    case 11: // InterfaceMethodref
                    case 12: // NameAndType
                    case 17: // Dynamic
                    case 18: // InvokeDynamic
                        in.skipBytes(4);
                        break;
                    case 5: // Long
                    case 6: // Double
                        in.skipBytes(8);
                        i++;
                        break;
                    default:
                        throw new AssertionError("unknown constant pool tag " + tag);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return strings;
    }
}
