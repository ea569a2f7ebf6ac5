package io.vecnn.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A layer's configuration: a small typed key–value map holding everything a {@link LayerType}
 * needs to rebuild the layer, apart from its tensors (for a dense layer: units, activation, bias).
 * Values are {@code int}, {@code long}, {@code float}, {@code double}, {@code boolean},
 * {@code String} or {@code int[]}. Immutable; keys keep their insertion order.
 *
 * <p>{@link #encode()} writes a one-line text form ({@code units=i:128 activation=s:relu}) that
 * {@link #decode} reads back exactly (floats and doubles round-trip bit for bit); checkpoints store
 * it.
 */
public final class LayerConfig {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-]+");
    private static final LayerConfig EMPTY = new LayerConfig(Map.of());

    private final Map<String, Object> values;

    private LayerConfig(Map<String, Object> values) {
        this.values = values;
    }

    /**
     * The empty configuration.
     *
     * @return the configuration without entries
     */
    public static LayerConfig empty() {
        return EMPTY;
    }

    /**
     * A builder.
     *
     * @return a builder of no entries
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The keys, in insertion order.
     *
     * @return the keys (unmodifiable)
     */
    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /**
     * Whether {@code key} is present.
     *
     * @param key the entry's key
     * @return true if there is an entry of that key
     */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /**
     * The int at {@code key}.
     *
     * @param key the entry's key
     * @return the value
     * @throws IllegalArgumentException if missing or of another type
     */
    public int getInt(String key) {
        return get(key, Integer.class);
    }

    /**
     * The long at {@code key}.
     *
     * @param key the entry's key
     * @return the value
     * @throws IllegalArgumentException if missing or of another type
     */
    public long getLong(String key) {
        return get(key, Long.class);
    }

    /**
     * The float at {@code key}.
     *
     * @param key the entry's key
     * @return the value
     * @throws IllegalArgumentException if missing or of another type
     */
    public float getFloat(String key) {
        return get(key, Float.class);
    }

    /**
     * The double at {@code key}.
     *
     * @param key the entry's key
     * @return the value
     * @throws IllegalArgumentException if missing or of another type
     */
    public double getDouble(String key) {
        return get(key, Double.class);
    }

    /**
     * The boolean at {@code key}.
     *
     * @param key the entry's key
     * @return the value
     * @throws IllegalArgumentException if missing or of another type
     */
    public boolean getBoolean(String key) {
        return get(key, Boolean.class);
    }

    /**
     * The string at {@code key}.
     *
     * @param key the entry's key
     * @return the value
     * @throws IllegalArgumentException if missing or of another type
     */
    public String getString(String key) {
        return get(key, String.class);
    }

    /**
     * A copy of the int array at {@code key}.
     *
     * @param key the entry's key
     * @return the array, a copy
     * @throws IllegalArgumentException if missing or of another type
     */
    public int[] getInts(String key) {
        return get(key, int[].class).clone();
    }

    private <T> T get(String key, Class<T> type) {
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("configuration has no '" + key + "' (keys: " + values.keySet() + ")");
        }
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("configuration '" + key + "' is a " + typeName(v) + ", expected "
                    + type.getSimpleName());
        }
        return type.cast(v);
    }

    private static String typeName(Object v) {
        return v instanceof int[] ? "int[]" : v.getClass().getSimpleName();
    }

    /**
     * The one-line text form (empty for an empty configuration).
     *
     * @return the entries as {@code key=value} items, which {@link #decode} reads back
     */
    public String encode() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(e.getKey()).append('=');
            Object v = e.getValue();
            switch (v) {
                case Integer i -> sb.append("i:").append(i);
                case Long l -> sb.append("l:").append(l);
                case Float f -> sb.append("f:").append(f);
                case Double d -> sb.append("d:").append(d);
                case Boolean b -> sb.append("b:").append(b);
                case String s -> sb.append("s:").append(escape(s));
                case int[] a -> {
                    sb.append("ia:");
                    for (int k = 0; k < a.length; k++) {
                        sb.append(k == 0 ? "" : ",").append(a[k]);
                    }
                }
                default -> throw new AssertionError(v);
            }
        }
        return sb.toString();
    }

    /**
     * Reads {@link #encode()}'s form.
     *
     * @param text the text form
     * @return the configuration
     * @throws IllegalArgumentException naming the bad entry
     */
    public static LayerConfig decode(String text) {
        Builder b = builder();
        String t = text.strip();
        if (t.isEmpty()) {
            return EMPTY;
        }
        for (String entry : t.split(" ")) {
            int eq = entry.indexOf('=');
            int colon = entry.indexOf(':', eq + 1);
            if (eq <= 0 || colon < 0) {
                throw new IllegalArgumentException("configuration entry '" + entry + "' is not key=type:value");
            }
            String key = entry.substring(0, eq);
            String type = entry.substring(eq + 1, colon);
            String v = entry.substring(colon + 1);
            try {
                switch (type) {
                    case "i" -> b.put(key, Integer.parseInt(v));
                    case "l" -> b.put(key, Long.parseLong(v));
                    case "f" -> b.put(key, Float.parseFloat(v));
                    case "d" -> b.put(key, Double.parseDouble(v));
                    case "b" -> {
                        if (!v.equals("true") && !v.equals("false")) {
                            throw new IllegalArgumentException("configuration entry '" + entry + "': not a boolean");
                        }
                        b.put(key, Boolean.parseBoolean(v));
                    }
                    case "s" -> b.put(key, unescape(v, entry));
                    case "ia" -> b.put(key, v.isEmpty() ? new int[0]
                            : Arrays.stream(v.split(",", -1)).mapToInt(Integer::parseInt).toArray());
                    default -> throw new IllegalArgumentException("configuration entry '" + entry + "': unknown type '" + type + "'");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("configuration entry '" + entry + "': not a number");
            }
        }
        return b.build();
    }

    // Percent-encoding of everything outside a safe set, so that values never contain spaces or newlines.
    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "_.-(),".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            }
        }
        return sb.toString();
    }

    private static String unescape(String s, String entry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("configuration entry '" + entry + "': bad escape at " + i);
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("configuration entry '" + entry + "': not UTF-8");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayerConfig c && encode().equals(c.encode());
    }

    @Override
    public int hashCode() {
        return encode().hashCode();
    }

    @Override
    public String toString() {
        return "{" + encode() + "}";
    }

    /** Builds a {@link LayerConfig}. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        private Builder() {
        }

        private Builder put(String key, Object v) {
            Objects.requireNonNull(key, "key");
            if (!KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("configuration key '" + key + "' may hold only letters, digits, _ . -");
            }
            if (values.put(key, Objects.requireNonNull(v, key)) != null) {
                throw new IllegalArgumentException("configuration key '" + key + "' given twice");
            }
            return this;
        }

        /**
         * Puts an int.
         *
         * @param key the entry's key
         * @param v the value
         * @return this builder
         */
        public Builder put(String key, int v) {
            return put(key, (Object) v);
        }

        /**
         * Puts a long.
         *
         * @param key the entry's key
         * @param v the value
         * @return this builder
         */
        public Builder put(String key, long v) {
            return put(key, (Object) v);
        }

        /**
         * Puts a float.
         *
         * @param key the entry's key
         * @param v the value
         * @return this builder
         */
        public Builder put(String key, float v) {
            return put(key, (Object) v);
        }

        /**
         * Puts a double.
         *
         * @param key the entry's key
         * @param v the value
         * @return this builder
         */
        public Builder put(String key, double v) {
            return put(key, (Object) v);
        }

        /**
         * Puts a boolean.
         *
         * @param key the entry's key
         * @param v the value
         * @return this builder
         */
        public Builder put(String key, boolean v) {
            return put(key, (Object) v);
        }

        /**
         * Puts a string.
         *
         * @param key the entry's key
         * @param v the value
         * @return this builder
         */
        public Builder put(String key, String v) {
            return put(key, (Object) v);
        }

        /**
         * Puts a copy of an int array.
         *
         * @param key the entry's key
         * @param v the array (copied)
         * @return this builder
         */
        public Builder put(String key, int[] v) {
            return put(key, (Object) v.clone());
        }

        /**
         * The configuration.
         *
         * @return the configuration of the entries put so far
         */
        public LayerConfig build() {
            return values.isEmpty() ? EMPTY : new LayerConfig(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
        }
    }
}
