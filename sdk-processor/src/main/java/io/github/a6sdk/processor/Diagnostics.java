package io.github.a6sdk.processor;

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

    Diagnostics(Messager messager) {
        this.messager = messager;
    }

    /** An error with no element, such as a bad processor option. */
    void error(String message) {
        errorCount++;
        messager.printMessage(Diagnostic.Kind.ERROR, message);
    }

    void error(Element element, String message) {
        errorCount++;
        messager.printMessage(Diagnostic.Kind.ERROR, message, element);
    }

    /** An error on an annotation of {@code element}, or on one of its values when {@code value} is set. */
    void error(Element element, AnnotationMirror annotation, AnnotationValue value, String message) {
        errorCount++;
        if (annotation == null) {
            messager.printMessage(Diagnostic.Kind.ERROR, message, element);
        } else if (value == null) {
            messager.printMessage(Diagnostic.Kind.ERROR, message, element, annotation);
        } else {
            messager.printMessage(Diagnostic.Kind.ERROR, message, element, annotation, value);
        }
    }

    /** The number of errors reported so far. */
    int errorCount() {
        return errorCount;
    }
}
