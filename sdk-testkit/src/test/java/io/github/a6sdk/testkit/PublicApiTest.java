package io.github.a6sdk.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The test kit's public types name only the JDK's, the test kit's and the API's types, so that a
 * test never depends on the runtime's internals (which may change in any release).
 */
class PublicApiTest {
    private static final List<String> ALLOWED = List.of("java.", "io.github.a6sdk.testkit.", "io.github.a6sdk.api.");

    @Test
    void publicSignaturesUseOnlyTheKitsAndTheApisTypes() throws Exception {
        Path classes = Path.of(FakeApisix.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, FakeApisix.class.getClassLoader());
                if (!isPublicApi(type)) {
                    continue;
                }
                checked++;
                for (Method m : type.getDeclaredMethods()) {
                    if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
                        check(type.getName() + "." + m.getName(), m.getGenericReturnType(), leaks);
                        for (Type p : m.getGenericParameterTypes()) {
                            check(type.getName() + "." + m.getName(), p, leaks);
                        }
                    }
                }
                for (Constructor<?> c : type.getDeclaredConstructors()) {
                    if (Modifier.isPublic(c.getModifiers())) {
                        for (Type p : c.getGenericParameterTypes()) {
                            check(type.getName() + ".<init>", p, leaks);
                        }
                    }
                }
                for (Field f : type.getDeclaredFields()) {
                    if (Modifier.isPublic(f.getModifiers())) {
                        check(type.getName() + "." + f.getName(), f.getGenericType(), leaks);
                    }
                }
            }
        }
        assertTrue(checked >= 10, "only " + checked + " public types found in " + classes);
        assertEquals(List.of(), leaks);
    }

    private static boolean isPublicApi(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            if (!Modifier.isPublic(c.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static void check(String where, Type type, List<String> leaks) {
        if (type instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (!c.isPrimitive() && ALLOWED.stream().noneMatch(c.getName()::startsWith)) {
                leaks.add(where + ": " + c.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            check(where, p.getRawType(), leaks);
            for (Type a : p.getActualTypeArguments()) {
                check(where, a, leaks);
            }
        } else if (type instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                check(where, b, leaks);
            }
            for (Type b : w.getLowerBounds()) {
                check(where, b, leaks);
            }
        } else if (type instanceof GenericArrayType g) {
            check(where, g.getGenericComponentType(), leaks);
        } else if (type instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                check(where, b, leaks);
            }
        }
    }
}
