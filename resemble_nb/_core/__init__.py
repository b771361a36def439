"""The bottom layer: what every other layer shares, and nothing else.

It owns the one exception root (:class:`ResembleError`, its tree drawn in
:mod:`resemble_nb._core.errors`), showing names with hidden characters escaped
(:mod:`~resemble_nb._core.visible`), the one rule for what reaches HTML
(:mod:`~resemble_nb._core.markup`), the one list of what a secret looks like
(:mod:`~resemble_nb._core.secrets`) and ``with`` for what has a ``close()``
(:mod:`~resemble_nb._core.closing`). It must not import anything from the rest of the
package, nor any third-party library: the standard library only.
"""
