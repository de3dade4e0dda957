package dev.myelin.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Explicit lifetime for temporaries. Every tensor made while a scope is open on this thread belongs
 * to the innermost one and is released when it closes, so a training step written as
 * {@code try (var s = Scope.open()) { ... }} returns every buffer it took to the backend's pool.
 * A tensor that must outlive the scope is taken out of it with {@link Tensor#keep()}.
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<Scope>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final List<Tensor> owned = new ArrayList<>();
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Scope() {
    }

    public static Scope open() {
        Scope scope = new Scope();
        OPEN.get().push(scope);
        return scope;
    }

    /** The innermost open scope on this thread, or null. */
    static Scope current() {
        return OPEN.get().peek();
    }

    void add(Tensor tensor) {
        owned.add(tensor);
    }

    void remove(Tensor tensor) {
        // Tensors kept are usually the last ones made: search from the end.
        for (int i = owned.size() - 1; i >= 0; i--) {
            if (owned.get(i) == tensor) {
                owned.remove(i);
                return;
            }
        }
    }

    /** Number of tensors this scope will release. */
    public int size() {
        return owned.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a scope must be closed on the thread that opened it");
        }
        ArrayDeque<Scope> stack = OPEN.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("scopes must be closed innermost first");
        }
        stack.pop();
        closed = true;
        for (Tensor tensor : owned) {
            tensor.releaseFromScope();
        }
        owned.clear();
    }
}
