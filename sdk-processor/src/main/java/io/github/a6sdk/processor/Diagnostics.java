package io.github.a6sdk.processor;

import java.util.ArrayList;
import java.util.List;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Reports errors and counts them, so that a validator can report every fault of a class and then
 * tell whether the class was clean (AutoValue's {@code ErrorReporter} shape).
 */
final class Diagnostics {

    private final Messager messager;
    private int errorCount;
    /** Errors held back while a class is validated, in case it is deferred to the next round. */
    private List<Runnable> buffer;
    /** How many of the held-back messages are errors. */
    private int bufferedErrors;

    Diagnostics(Messager messager) {
        this.messager = messager;
    }

    /** Holds back errors until {@link #flush()} or {@link #discard()}. */
    void startBuffering() {
        buffer = new ArrayList<>();
        bufferedErrors = 0;
    }

    /** Prints the held-back errors. */
    void flush() {
        List<Runnable> pending = buffer;
        buffer = null;
        if (pending != null) {
            pending.forEach(Runnable::run);
        }
    }

    /** Drops the held-back errors and warnings (the class will be validated again in the next round). */
    void discard() {
        if (buffer != null) {
            errorCount -= bufferedErrors;
            buffer = null;
        }
    }

    private void print(Runnable print) {
        errorCount++;
        hold(print, true);
    }

    private void hold(Runnable print, boolean error) {
        if (buffer != null) {
            buffer.add(print);
            bufferedErrors += error ? 1 : 0;
        } else {
            print.run();
        }
    }

    /** A warning on {@code element}; not counted as an error. */
    void warning(Element element, String message) {
        hold(() -> messager.printMessage(Diagnostic.Kind.WARNING, message, element), false);
    }

    /** An error with no element, such as a bad processor option. */
    void error(String message) {
        print(() -> messager.printMessage(Diagnostic.Kind.ERROR, message));
    }

    void error(Element element, String message) {
        print(() -> messager.printMessage(Diagnostic.Kind.ERROR, message, element));
    }

    /** An error on an annotation of {@code element}, or on one of its values when {@code value} is set. */
    void error(Element element, AnnotationMirror annotation, AnnotationValue value, String message) {
        print(() -> {
            if (annotation == null) {
                messager.printMessage(Diagnostic.Kind.ERROR, message, element);
            } else if (value == null) {
                messager.printMessage(Diagnostic.Kind.ERROR, message, element, annotation);
            } else {
                messager.printMessage(Diagnostic.Kind.ERROR, message, element, annotation, value);
            }
        });
    }

    /** The number of errors reported so far. */
    int errorCount() {
        return errorCount;
    }
}
