package io.github.a6sdk.processor;

import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.github.a6sdk.api.spi.PluginRegistry;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.JavaFileObject;

/** Shared set-up: a compiler with an explicit class path (sdk-api and gson only), and class loading. */
final class TestSupport {

    private TestSupport() {}

    /** The sdk-api and gson entries of the test class path: all that generated code may need. */
    static List<File> classpath() {
        List<File> files = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String normalized = entry.replace('\\', '/');
            if (normalized.contains("/sdk-api") || normalized.contains("/gson-")) {
                files.add(new File(entry));
            }
        }
        if (files.size() != 2) {
            throw new AssertionError("expected sdk-api and gson on the test class path, found " + files);
        }
        return files;
    }

    /** javac with the processor and {@code -Xlint:all -Werror}. */
    static Compiler compiler(String... options) {
        List<String> all = new ArrayList<>(List.of("-Xlint:all", "-Werror"));
        all.addAll(List.of(options));
        return javac()
                .withProcessors(new ApisixPluginProcessor())
                .withClasspath(classpath())
                .withOptions(all);
    }

    static Compilation compile(JavaFileObject... sources) {
        return compiler().compile(sources);
    }

    static JavaFileObject source(String qualifiedName, String text) {
        return JavaFileObjects.forSourceString(qualifiedName, text);
    }

    /** Loads every class file of {@code compilation}, parent-first for sdk-api and gson. */
    static ClassLoader load(Compilation compilation) {
        Map<String, byte[]> classes = new HashMap<>();
        for (JavaFileObject file : compilation.generatedFiles()) {
            if (file.getKind() != JavaFileObject.Kind.CLASS) {
                continue;
            }
            String path = file.toUri().getPath();
            int start = path.indexOf("/CLASS_OUTPUT/");
            String name = path.substring(start + "/CLASS_OUTPUT/".length(), path.length() - ".class".length())
                    .replace('/', '.');
            classes.put(name, bytes(file));
        }
        return new ClassLoader(TestSupport.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                byte[] bytes = classes.get(name);
                if (bytes == null) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, bytes, 0, bytes.length);
            }
        };
    }

    /** Creates the registry class {@code className} of {@code compilation} through its no-arg constructor. */
    static PluginRegistry registry(Compilation compilation, String className) {
        try {
            Class<?> type = load(compilation).loadClass(className);
            return (PluginRegistry) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] bytes(JavaFileObject file) {
        try (InputStream in = file.openInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(JavaFileObject file) {
        try {
            return file.getCharContent(true).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
