package io.github.a6sdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads the bytecode of everything that runs in the runner (sdk-api, sdk-runtime and the code the
 * processor generated for these examples) and fails on any reference to reflection: the
 * {@code java.lang.reflect} package, {@code Class.forName}, {@code Class.getDeclared*}/{@code getMethod*}/
 * {@code getConstructor*}/{@code newInstance}, {@code setAccessible}, or {@code MethodHandles} lookups.
 * The one dynamic lookup allowed is {@code ServiceLoader} (for registries); lambdas and string
 * concatenation use the JDK's invokedynamic bootstraps, which are not reflection on our types.
 */
class NoReflectionTest {
    private static final Set<String> FORBIDDEN_METHODS = Set.of(
            "java/lang/Class.forName", "java/lang/Class.getDeclaredMethod", "java/lang/Class.getDeclaredMethods",
            "java/lang/Class.getDeclaredField", "java/lang/Class.getDeclaredFields",
            "java/lang/Class.getDeclaredConstructor", "java/lang/Class.getDeclaredConstructors",
            "java/lang/Class.getMethod", "java/lang/Class.getMethods", "java/lang/Class.getField",
            "java/lang/Class.getFields", "java/lang/Class.getConstructor", "java/lang/Class.getConstructors",
            "java/lang/Class.newInstance", "java/lang/Class.getRecordComponents",
            "java/lang/Class.getEnumConstants",
            "java/lang/invoke/MethodHandles.lookup", "java/lang/invoke/MethodHandles.privateLookupIn",
            "java/lang/invoke/MethodHandles.publicLookup");

    @Test
    void runnerAndGeneratedCodeUseNoReflection() throws IOException {
        List<String> scanned = new ArrayList<>();
        List<String> violations = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            boolean ours = p.toString().contains("sdk-runtime") || p.toString().contains("sdk-api")
                    || p.endsWith(Path.of("examples", "target", "classes"));
            if (!ours || !Files.exists(p)) {
                continue;
            }
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.walk(p)) {
                    for (Path f : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".class"))::iterator) {
                        try (InputStream in = Files.newInputStream(f)) {
                            scan(p.relativize(f).toString(), in, violations);
                            scanned.add(f.toString());
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(p.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        JarEntry je = e.nextElement();
                        if (je.getName().endsWith(".class")) {
                            try (InputStream in = jar.getInputStream(je)) {
                                scan(p.getFileName() + "!" + je.getName(), in, violations);
                                scanned.add(je.getName());
                            }
                        }
                    }
                }
            }
        }
        assertTrue(scanned.stream().anyMatch(s -> s.endsWith("Say_Descriptor.class")), "generated code scanned");
        assertTrue(scanned.stream().anyMatch(s -> s.endsWith("runtime/server/LoopConnection.class")), "runtime scanned");
        assertTrue(scanned.stream().anyMatch(s -> s.endsWith("spi/ConfigReaders.class")), "api scanned");
        assertEquals(List.of(), violations);
    }

    /** Walks a class file's constant pool for class and method references. */
    static void scan(String name, InputStream raw, List<String> violations) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException(name + " is not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int[][] refs = new int[count][];
        int[] nameAndTypeName = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1: utf8[i] = in.readUTF(); break;
                case 7: classNameIndex[i] = in.readUnsignedShort(); break;
                case 8: case 16: case 19: case 20: in.readUnsignedShort(); break;
                case 9: case 10: case 11: refs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()}; break;
                case 12: nameAndTypeName[i] = in.readUnsignedShort(); in.readUnsignedShort(); break;
                case 3: case 4: in.readInt(); break;
                case 5: case 6: in.readLong(); i++; break;
                case 15: in.readUnsignedByte(); in.readUnsignedShort(); break;
                case 17: case 18: in.readUnsignedShort(); in.readUnsignedShort(); break;
                default: throw new IOException(name + ": unknown constant tag " + tag);
            }
        }
        Set<String> found = new TreeSet<>();
        for (int i = 1; i < count; i++) {
            if (classNameIndex[i] != 0) {
                String cls = utf8[classNameIndex[i]];
                if (cls.startsWith("java/lang/reflect/") || cls.contains("[Ljava/lang/reflect/")) {
                    found.add(cls);
                }
            }
            if (refs[i] != null) {
                String owner = utf8[classNameIndex[refs[i][0]]];
                String member = utf8[nameAndTypeName[refs[i][1]]];
                String ref = owner + "." + member;
                if (FORBIDDEN_METHODS.contains(ref) || member.equals("setAccessible")) {
                    found.add(ref);
                }
            }
        }
        for (String f : found) {
            violations.add(name + " -> " + f);
        }
    }
}
