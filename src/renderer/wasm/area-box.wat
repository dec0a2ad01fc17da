;; Area-average (box filter) downscaling of one rectangle of shown pixels, 4 channels at a time
;; with WebAssembly SIMD: the kernel behind area-downscale-wasm.ts (see area-downscale.ts for the
;; filter). For shown pixel (r, c) of the rectangle it stores 4 bytes (R, G, B, A), each
;;
;;   floor(S / total + 0.5),  S = sum over t < ytaps[r], k < xtaps[c] of
;;                                yw[r][t] * xw[c][k] * pixel(yfirst[r] + t, xfirst[c] + k)
;;
;; with the division and rounding in f64, as the JS version does them (so the bytes are the same).
;; Every table entry is an i32; `first` entries are byte offsets (a row's into the pixels, a
;; column's within a row), weight rows are `stride` bytes apart. A horizontal sum is at most
;; 255 * from_x, S at most 255 * from_x * from_y = 255 * total: u32 for frames up to 4096 x 4096.
;; Built into area-box-wasm.ts by scripts/build-wasm.mjs (wabt); a unit test checks they match.
(module
  (memory (export "mem") 1)
  (func (export "box")
    (param $px i32) (param $pitch i32)                 ;; the pixels (RGBA bytes) and bytes per row
    (param $xfirst i32) (param $xtaps i32) (param $xw i32) (param $xstride i32)
    (param $yfirst i32) (param $ytaps i32) (param $yw i32) (param $ystride i32)
    (param $dw i32) (param $dh i32) (param $out i32) (param $total i32)
    (local $r i32) (local $c i32) (local $t i32) (local $k i32)
    (local $rowp i32) (local $p i32) (local $wx i32) (local $wy i32) (local $nx i32) (local $ny i32)
    (local $acc v128) (local $h v128) (local $div v128) (local $half v128)
    (local.set $div (f64x2.splat (f64.convert_i32_u (local.get $total))))
    (local.set $half (f64x2.splat (f64.const 0.5)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $dh)))
        (local.set $ny (i32.load (i32.add (local.get $ytaps) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $c (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $c) (local.get $dw)))
            (local.set $nx (i32.load (i32.add (local.get $xtaps) (i32.shl (local.get $c) (i32.const 2)))))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $rowp (i32.add (local.get $px) (i32.load (i32.add (local.get $yfirst) (i32.shl (local.get $r) (i32.const 2))))))
            (local.set $wy (i32.add (local.get $yw) (i32.mul (local.get $r) (local.get $ystride))))
            (local.set $t (i32.const 0))
            (block $taps_y_done
              (loop $taps_y
                (br_if $taps_y_done (i32.ge_u (local.get $t) (local.get $ny)))
                ;; this row's horizontal sum for column c
                (local.set $h (v128.const i32x4 0 0 0 0))
                (local.set $p (i32.add (local.get $rowp) (i32.load (i32.add (local.get $xfirst) (i32.shl (local.get $c) (i32.const 2))))))
                (local.set $wx (i32.add (local.get $xw) (i32.mul (local.get $c) (local.get $xstride))))
                (local.set $k (i32.const 0))
                (block $taps_x_done
                  (loop $taps_x
                    (br_if $taps_x_done (i32.ge_u (local.get $k) (local.get $nx)))
                    (local.set $h
                      (i32x4.add (local.get $h)
                        (i32x4.mul
                          (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p))))
                          (i32x4.splat (i32.load (local.get $wx))))))
                    (local.set $p (i32.add (local.get $p) (i32.const 4)))
                    (local.set $wx (i32.add (local.get $wx) (i32.const 4)))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $taps_x)))
                (local.set $acc (i32x4.add (local.get $acc) (i32x4.mul (local.get $h) (i32x4.splat (i32.load (local.get $wy))))))
                (local.set $wy (i32.add (local.get $wy) (i32.const 4)))
                (local.set $rowp (i32.add (local.get $rowp) (local.get $pitch)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $taps_y)))
            ;; S / total + 0.5, floored, per channel: R, G in the low f64 pair, B, A in the high one;
            ;; the four results (0..255) narrowed into the pixel's 4 bytes.
            (i32.store (local.get $out)
              (i32x4.extract_lane 0
                (i8x16.narrow_i16x8_u
                  (i16x8.narrow_i32x4_u
                    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                      (i32x4.trunc_sat_f64x2_u_zero
                        (f64x2.floor (f64x2.add (f64x2.div (f64x2.convert_low_i32x4_u (local.get $acc)) (local.get $div)) (local.get $half))))
                      (i32x4.trunc_sat_f64x2_u_zero
                        (f64x2.floor (f64x2.add (f64x2.div
                          (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc)))
                          (local.get $div)) (local.get $half)))))
                    (v128.const i32x4 0 0 0 0))
                  (v128.const i32x4 0 0 0 0))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))))
