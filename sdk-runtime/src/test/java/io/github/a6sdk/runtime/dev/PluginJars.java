package io.github.a6sdk.runtime.dev;

import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Runnable plugin jars for the dev loop's tests, made the way {@code mvn package} makes one: the
 * runtime and its dependencies, a plugin compiled now (a hand-written descriptor and registry, so no
 * annotation processor is needed), its services file and a Main-Class.
 */
final class PluginJars {
    private final Path work;
    private int compiled;

    PluginJars(Path work) {
        this.work = work;
    }

    /** A plugin {@code name} that answers every request with a Stop whose body is {@code body}. */
    record Plugin(String name, String body, boolean failingStart) {}

    /** A runnable jar with {@code plugins}, each in a registry of its own. */
    byte[] runnable(Plugin... plugins) throws IOException {
        return jar(true, true, plugins);
    }

    /** The plain jar maven-jar-plugin writes before the shade plugin replaces it: no runtime, no Main-Class. */
    byte[] plain(Plugin... plugins) throws IOException {
        return jar(false, false, plugins);
    }

    private byte[] jar(boolean withRuntime, boolean withMain, Plugin... plugins) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (withMain) {
            mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Set<String> names = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(bytes, mf)) {
            names.add(JarFile.MANIFEST_NAME);
            names.add("META-INF/");
            List<String> registries = new ArrayList<>();
            for (Plugin p : plugins) {
                Path classes = compile(p);
                registries.add(pkg(p) + ".Registry");
                addTree(out, names, classes);
            }
            put(out, names, "META-INF/services/io.github.a6sdk.api.spi.PluginRegistry",
                    (String.join("\n", registries) + "\n").getBytes(StandardCharsets.UTF_8));
            if (withRuntime) {
                for (Class<?> c : new Class<?>[] {Main.class, PluginDescriptor.class, com.google.flatbuffers.FlatBufferBuilder.class,
                        com.google.gson.stream.JsonReader.class}) {
                    add(out, names, codeSource(c));
                }
            }
        }
        return bytes.toByteArray();
    }

    private static Path codeSource(Class<?> c) throws IOException {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private String pkg(Plugin p) {
        return "devwatch" + Math.abs((p.name() + "|" + p.body() + "|" + p.failingStart()).hashCode());
    }

    /** Compiles the plugin, its descriptor and its registry; returns the classes folder. */
    private Path compile(Plugin p) throws IOException {
        String pkg = pkg(p);
        Path src = work.resolve("src-" + (++compiled));
        Path classes = work.resolve("classes-" + compiled);
        Files.createDirectories(src);
        Files.createDirectories(classes);
        String source = """
                package PKG;

                import io.github.a6sdk.api.*;
                import io.github.a6sdk.api.spi.*;
                import java.util.List;

                public final class Registry implements PluginRegistry {
                    static final class Filter implements RequestFilter<String> {
                        @Override public void filter(String c, HttpRequest q, HttpResponse r) { r.setBody("BODY"); }
                    }

                    static final class Descriptor implements PluginDescriptor<String> {
                        private final Filter filter = new Filter();
                        @Override public String name() { return "NAME"; }
                        @Override public String className() { return "PKG.Filter"; }
                        @Override public String configType() { return "java.lang.String"; }
                        @Override public List<String> prefetchVars() { return List.of(); }
                        @Override public boolean prefetchRequestBody() { return false; }
                        @Override public boolean prefetchResponseBody() { return false; }
                        @Override public boolean blocking() { return false; }
                        @Override public RequestFilter<String> requestFilter() { return filter; }
                        @Override public ResponseFilter<String> responseFilter() { return null; }
                        @Override public String parseConfig(String json) { return json; }
                        @Override public String configSchema() { return "{}"; }
                        @Override public boolean hasStartHook() { return FAILS; }
                        @Override public void startPlugin(PluginContext context) {
                            if (FAILS) {
                                throw new IllegalStateException("no database in this build");
                            }
                        }
                    }

                    private final List<PluginDescriptor<?>> plugins = List.of(new Descriptor());
                    @Override public List<PluginDescriptor<?>> plugins() { return plugins; }
                    @Override public PluginDescriptor<?> find(String name) {
                        return name.equals("NAME") ? plugins.get(0) : null;
                    }
                }
                """.replace("PKG", pkg).replace("NAME", p.name()).replace("BODY", p.body())
                .replace("FAILS", String.valueOf(p.failingStart()));
        Path file = src.resolve("Registry.java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, null, diagnostics, "-d", classes.toString(), "-cp",
                codeSource(PluginDescriptor.class).toString(), file.toString());
        if (status != 0) {
            throw new IOException("test plugin does not compile: " + diagnostics);
        }
        return classes;
    }

    private static void add(JarOutputStream out, Set<String> names, Path source) throws IOException {
        if (Files.isDirectory(source)) {
            addTree(out, names, source);
            return;
        }
        try (JarFile jar = new JarFile(source.toFile())) {
            for (JarEntry e : java.util.Collections.list(jar.entries())) {
                if (e.isDirectory() || skip(e.getName())) {
                    continue;
                }
                try (InputStream in = jar.getInputStream(e)) {
                    put(out, names, e.getName(), in.readAllBytes());
                }
            }
        }
    }

    private static void addTree(JarOutputStream out, Set<String> names, Path root) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String name = root.relativize(f).toString().replace('\\', '/');
            if (!skip(name)) {
                put(out, names, name, Files.readAllBytes(f));
            }
        }
    }

    private static boolean skip(String name) {
        return name.startsWith("META-INF/") && !name.startsWith("META-INF/services/") || name.equals("module-info.class")
                || name.startsWith("META-INF/services/io.github.a6sdk.api.spi.PluginRegistry");
    }

    private static void put(JarOutputStream out, Set<String> names, String name, byte[] data) throws IOException {
        if (!names.add(name)) {
            return;
        }
        out.putNextEntry(new JarEntry(name));
        out.write(data);
        out.closeEntry();
    }

    /** Replaces {@code target} as the shade plugin does: written beside it, then renamed over it. */
    static void replace(Path target, byte[] jar) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".shaded");
        Files.write(tmp, jar);
        Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Rewrites {@code target} in place, as maven-jar-plugin does (same file, truncated and written again). */
    static void rewriteInPlace(Path target, byte[] data) throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            out.write(data);
        }
    }
}
