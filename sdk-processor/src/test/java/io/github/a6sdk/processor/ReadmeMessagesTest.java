package io.github.a6sdk.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The compiler messages the README quotes are the ones the compiler prints: each quoted line
 * {@code File.java:N: error: MESSAGE} (a trailing {@code ...} cuts a long message short) is
 * compared with the diagnostics of compiling {@code src/test/resources/readme/File.java}.
 */
class ReadmeMessagesTest {
    private static final Path README = Path.of("..", "README.md");
    private static final String INTRO = "The processor's errors read like `javac`'s own";
    private static final Pattern LINE = Pattern.compile("(\\w+\\.java):(\\d+): error: (.*)");

    /** The lines of the code block after {@link #INTRO}. */
    static List<String> quotedLines() throws IOException {
        List<String> lines = Files.readAllLines(README);
        int i = 0;
        while (i < lines.size() && !lines.get(i).startsWith(INTRO)) {
            i++;
        }
        assertTrue(i < lines.size(), "README.md has no paragraph starting \"" + INTRO + "\"");
        while (!lines.get(i).startsWith("```")) {
            i++;
        }
        List<String> quoted = new ArrayList<>();
        for (i++; !lines.get(i).startsWith("```"); i++) {
            quoted.add(lines.get(i));
        }
        return quoted;
    }

    @Test
    void everyQuotedMessageIsTheCompilers() throws IOException {
        List<String> quoted = quotedLines();
        assertThat(quoted.size()).isAtLeast(3);
        for (String line : quoted) {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "not a javac error line: " + line);
            String file = m.group(1);
            long lineNumber = Long.parseLong(m.group(2));
            String message = m.group(3);
            boolean cut = message.endsWith(" ...");
            String expected = cut ? message.substring(0, message.length() - 4) : message;

            URL source = ReadmeMessagesTest.class.getResource("/readme/" + file);
            assertTrue(source != null, "no src/test/resources/readme/" + file + " for README line: " + line);
            JavaFileObject javaFile = JavaFileObjects.forResource(source);
            Compilation compilation = TestSupport.compile(javaFile);
            assertThat(compilation).failed();
            assertEquals(1, compilation.errors().size(), "expected one error for " + file + ": " + compilation.errors());
            Diagnostic<? extends JavaFileObject> error = compilation.errors().get(0);
            String actual = error.getMessage(Locale.ROOT);
            assertEquals(lineNumber, error.getLineNumber(), "README line " + line + " gives the wrong line; javac says: "
                    + file + ":" + error.getLineNumber() + ": error: " + actual);
            if (cut) {
                assertTrue(actual.startsWith(expected), "README quotes\n  " + expected + " ...\nbut javac prints\n  " + actual);
                assertTrue(actual.length() > expected.length(), "README cuts a message that it quotes whole: " + line);
            } else {
                assertEquals(actual, expected, "README quotes a message javac does not print");
            }
        }
    }
}
