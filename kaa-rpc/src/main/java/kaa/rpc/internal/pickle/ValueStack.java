package kaa.rpc.internal.pickle;

import java.util.Arrays;
import kaa.rpc.internal.value.WorkBudget;

/**
 * The unpickler's stack with its marks, as Python's: a mark is an index into
 * the items, and the items below the top mark are out of reach (Python keeps
 * them on its metastack). No step costs more than the items it moves, each
 * charged to the payload's {@link WorkBudget}.
 */
final class ValueStack {

    private static final int[] NO_MARKS = {};

    private final WorkBudget work;
    private Object[] items = new Object[16];
    private int size;
    private int[] marks = NO_MARKS;
    private int markCount;

    ValueStack(WorkBudget work) {
        this.work = work;
    }

    private int floor() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    void push(Object o) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = o;
    }

    void mark() {
        if (markCount == marks.length) {
            marks = Arrays.copyOf(marks, Math.max(8, markCount * 2));
        }
        marks[markCount++] = size;
    }

    Object pop() {
        if (size <= floor()) {
            throw underflow();
        }
        Object top = items[--size];
        items[size] = null;
        return top;
    }

    Object peek() {
        if (size <= floor()) {
            throw underflow();
        }
        return items[size - 1];
    }

    /** Replaces the top item, which {@link #peek} found. */
    void replaceTop(Object o) {
        items[size - 1] = o;
    }

    /** {@code POP}: the top item, or the top mark when nothing is above it (Python's {@code load_pop}). */
    void popOrUnmark() {
        if (size == floor() && markCount > 0) {
            markCount--;
        } else {
            pop();
        }
    }

    /** Pops the items above the top mark, in order, and the mark: what {@code TUPLE}, {@code DICT} and others take. */
    Object[] popMarked() {
        int from = popMark();
        Object[] out = Arrays.copyOfRange(items, from, size);
        drop(from);
        return out;
    }

    /** {@code POP_MARK}: drops the items above the top mark, and the mark. */
    void dropMarked() {
        drop(popMark());
    }

    private int popMark() {
        if (markCount == 0) {
            throw new PickleFormatException("no MARK on the stack");
        }
        int from = marks[--markCount];
        work.charge(size - from);
        return from;
    }

    private void drop(int from) {
        Arrays.fill(items, from, size, null);
        size = from;
    }

    private static PickleFormatException underflow() {
        return new PickleFormatException("unpickling stack underflow");
    }
}
