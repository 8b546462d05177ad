package io.github.a6sdk.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every public type, constructor, method and field of the author's API (sdk-api, the test kit, the
 * runtime's entry points) has a javadoc comment, so that an IDE shows what it does. (The javadoc
 * build checks the comments' syntax and references; this checks that they exist.) Also: the filter
 * interfaces the README shows are the real ones.
 */
class ApiDocsTest {
    private static final Path ROOT = Path.of("..");

    static List<Path> apiSources() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of("sdk-api/src/main/java", "sdk-testkit/src/main/java")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(dir))) {
                files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java")).forEach(out::add);
            }
        }
        for (String entry : List.of("Main", "PluginCatalog", "Commands", "transport/Transport")) {
            out.add(ROOT.resolve("sdk-runtime/src/main/java/io/github/a6sdk/runtime/" + entry + ".java"));
        }
        return out;
    }

    @Test
    void everyPublicMemberHasAComment() throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> missing = new ArrayList<>();
        int checked;
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(apiSources());
            JavacTask task = (JavacTask) javac.getTask(null, files, null, List.of("-proc:none"), null, units);
            DocTrees docs = DocTrees.instance(task);
            int[] count = {0};
            for (CompilationUnitTree unit : task.parse()) {
                new TreePathScanner<Void, Void>() {
                    private final Deque<ClassTree> classes = new ArrayDeque<>();

                    @Override
                    public Void visitClass(ClassTree tree, Void unused) {
                        if (!visible(tree.getModifiers(), tree)) {
                            return null;
                        }
                        check(tree.getSimpleName().toString());
                        classes.push(tree);
                        super.visitClass(tree, unused);
                        classes.pop();
                        return null;
                    }

                    @Override
                    public Void visitMethod(MethodTree tree, Void unused) {
                        boolean override = tree.getModifiers().getAnnotations().stream()
                                .anyMatch(a -> a.getAnnotationType().toString().equals("Override"));
                        if (visible(tree.getModifiers(), tree) && !override) {
                            check(classes.peek().getSimpleName() + "." + tree.getName());
                        }
                        return null;
                    }

                    @Override
                    public Void visitVariable(VariableTree tree, Void unused) {
                        if (visible(tree.getModifiers(), tree) && !isEnumConstant(tree)) {
                            check(classes.peek().getSimpleName() + "." + tree.getName());
                        }
                        return null;
                    }

                    private boolean isEnumConstant(VariableTree tree) {
                        return classes.peek().getKind() == Tree.Kind.ENUM
                                && tree.getType() != null && tree.getType().toString().equals(classes.peek().getSimpleName().toString());
                    }

                    /** Public, or a member of an interface or annotation (implicitly public); records' own components aside. */
                    private boolean visible(ModifiersTree modifiers, Tree tree) {
                        ClassTree owner = classes.peek();
                        if (owner != null && owner.getKind() == Tree.Kind.RECORD && tree instanceof VariableTree
                                && !modifiers.getFlags().contains(Modifier.STATIC)) {
                            return false; // a record component: documented by the record's @param
                        }
                        if (modifiers.getFlags().contains(Modifier.PUBLIC) || modifiers.getFlags().contains(Modifier.PROTECTED)) {
                            return true;
                        }
                        return owner != null && (owner.getKind() == Tree.Kind.INTERFACE
                                || owner.getKind() == Tree.Kind.ANNOTATION_TYPE)
                                && !modifiers.getFlags().contains(Modifier.PRIVATE);
                    }

                    private void check(String what) {
                        count[0]++;
                        TreePath path = getCurrentPath();
                        if (docs.getDocCommentTree(path) == null) {
                            missing.add(unit.getSourceFile().getName().replaceAll(".*/src/main/java/", "") + ": " + what);
                        }
                    }
                }.scan(unit, null);
            }
            checked = count[0];
        }
        assertTrue(checked > 150, "only " + checked + " members checked");
        assertEquals("", missing.stream().collect(Collectors.joining("\n")), missing.size() + " without a comment");
    }

    @Test
    void theReadmesFilterInterfacesAreTheRealOnes() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (String name : List.of("RequestFilter", "ResponseFilter")) {
            int start = readme.indexOf("public interface " + name + "<C> {");
            assertTrue(start >= 0, "README does not show " + name);
            String shown = readme.substring(readme.indexOf('\n', start) + 1, readme.indexOf('}', start)).strip();
            String source = Files.readString(ROOT.resolve("sdk-api/src/main/java/io/github/a6sdk/api/" + name + ".java"));
            assertTrue(source.contains(shown), name + ": the README shows\n" + shown + "\nwhich is not in its source");
        }
    }
}
